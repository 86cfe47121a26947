/** The video field: a JSON value `{videoId, title?, duration?, thumbnail?}` edited through `<video-uploader>`. */
import type { Field, JSONField, Validate } from 'payload';
import { pendingMessage, VIDEO_ID, type StoredVideo } from './types';

export const FIELD_COMPONENT = 'video-uploader-payload/client#VideoField';

export interface VideoFieldOptions {
  name: string;
  label?: string;
  required?: boolean;
  /** Help text shown under the field. */
  description?: string;
  /** Adds to the field's config as it is (access, hooks, localized…); the plugin's keys win. */
  overrides?: Partial<Omit<JSONField, 'name' | 'type'>>;
}

const TEXT_LIMIT = 1024;

/** Keeps the known keys, of the right types; anything else is dropped rather than stored. */
export function toStoredVideo(value: unknown): StoredVideo | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value !== 'object' || Array.isArray(value)) return null;
  const input = value as Record<string, unknown>;
  if (typeof input.videoId !== 'string' || !VIDEO_ID.test(input.videoId)) return null;
  const stored: StoredVideo = { videoId: input.videoId };
  if (typeof input.title === 'string' && input.title.length <= TEXT_LIMIT) stored.title = input.title;
  if (typeof input.duration === 'number' && Number.isFinite(input.duration) && input.duration >= 0)
    stored.duration = input.duration;
  if (
    typeof input.thumbnail === 'string' &&
    input.thumbnail.length <= TEXT_LIMIT &&
    /^https?:\/\//.test(input.thumbnail)
  ) {
    stored.thumbnail = input.thumbnail;
  }
  return stored;
}

export const validateVideo: Validate<unknown, unknown, unknown, JSONField> = (value, { required }) => {
  const pending = pendingMessage(value);
  if (pending) return pending;
  if (value === null || value === undefined || value === '') return required ? 'A video is required.' : true;
  if (toStoredVideo(value) === null) return 'The video field must hold an object with a videoId.';
  return true;
};

export function videoField(options: VideoFieldOptions): JSONField {
  const { name, label, required, description, overrides = {} } = options;
  return {
    ...overrides,
    name,
    type: 'json',
    ...(label !== undefined ? { label } : {}),
    required: required === true,
    validate: validateVideo,
    custom: { ...overrides.custom, videoUploader: true },
    hooks: {
      ...overrides.hooks,
      // Runs before validation: a valid video is cleaned of unknown keys; anything else (an upload still
      // running, a value that is no video) is left as it is for validation to refuse.
      beforeChange: [...(overrides.hooks?.beforeChange ?? []), ({ value }) => toStoredVideo(value) ?? value],
    },
    admin: {
      ...overrides.admin,
      ...(description !== undefined ? { description } : {}),
      components: { ...overrides.admin?.components, Field: FIELD_COMPONENT },
    },
  } as JSONField;
}

export function isVideoField(field: Field): field is JSONField {
  return field.type === 'json' && (field.custom as { videoUploader?: unknown } | undefined)?.videoUploader === true;
}

export function videoIdOf(value: unknown): string | undefined {
  return toStoredVideo(value)?.videoId;
}
