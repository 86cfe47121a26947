import type { VideoUploaderStrings } from '../strings.js';

/** The words of the element before a file is picked, and of a file whose upload could not start: English. */
export type FirstStrings = Pick<
  VideoUploaderStrings,
  | 'dropLabel'
  | 'dropLabelMultiple'
  | 'or'
  | 'choose'
  | 'chooseMultiple'
  | 'recordCamera'
  | 'recordScreen'
  | 'captureNative'
  | 'dropHere'
  | 'maxSize'
  | 'maxDuration'
  | 'preparing'
  | 'cancel'
  | 'retry'
  | 'canceled'
  | 'fieldTitle'
  | 'fieldDescription'
  | 'valueMissing'
  | 'uploadInProgress'
  | 'errorNetwork'
>;

/**
 * English, as far as the element needs it before the upload engine arrives; the rest (en-upload.ts) comes
 * with the engine's chunk.
 */
const en: FirstStrings = {
  dropLabel: 'Drag and drop a video here',
  dropLabelMultiple: 'Drag and drop videos here',
  or: 'or',
  choose: 'Choose a video',
  chooseMultiple: 'Choose videos',
  recordCamera: 'Record with the camera',
  recordScreen: 'Record the screen',
  captureNative: 'Open the camera app',
  dropHere: 'Drop to upload',
  maxSize: (size) => `Up to ${size}`,
  maxDuration: (duration) => `${duration} at most`,
  preparing: 'Getting ready…',
  cancel: 'Cancel',
  retry: 'Try again',
  canceled: 'Upload canceled',
  fieldTitle: 'Title',
  fieldDescription: 'Description',
  valueMissing: 'Please upload a video.',
  uploadInProgress: 'Please wait until the video has finished uploading.',
  errorNetwork: 'The connection was lost. Check your internet connection, then try again.',
};
export default en;
