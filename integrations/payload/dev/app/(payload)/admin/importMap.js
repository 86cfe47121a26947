import { VideoField as VideoField_c8bc2a8b5549e6a29a800e5a45217eb4 } from 'video-uploader-payload/client';
import { CollectionCards as CollectionCards_f9c02e79a4aed9a3924487c0cd4cafb1 } from '@payloadcms/next/rsc';

/** @type import('payload').ImportMap */
export const importMap = {
  'video-uploader-payload/client#VideoField': VideoField_c8bc2a8b5549e6a29a800e5a45217eb4,
  '@payloadcms/next/rsc#CollectionCards': CollectionCards_f9c02e79a4aed9a3924487c0cd4cafb1,
};
