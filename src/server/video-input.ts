/**
 * Validation of `POST /videos` and `PATCH /videos/{id}` bodies, with api.video's problem types and
 * titles. Every problem found is listed, not only the first; an attribute the API does not know is
 * refused rather than dropped.
 */
import type { Metadata } from '../protocol/index.js';
import { MAX_TITLE } from '../protocol/title.js';
import { problemList, type ProblemItem } from './problem.js';
import type { NewVideo, VideoPatch } from './video-store.js';

/** api.video's `language` enum, as a plain list (a YAML 1.1 reader would turn `no` into false). */
export const LANGUAGES: ReadonlySet<string> = new Set(
  'ar ca cs da de el en es fa fi fr he hi hr hu it ja ko ml nl nn no pl pt ru sk sl te tr uk ur vi zh'.split(' '),
);

const MAX_DESCRIPTION = 8192;
const MAX_TAGS = 64;
const MAX_TAG = 256;
const MAX_METADATA = 64;
const MAX_PLAYER_ID = 64;
const SUMMARY_ATTRIBUTES = new Set(['abstract', 'takeaways']);

/** Accepted by the service but not implemented here: refused with a clear detail instead of ignored. */
const NOT_IMPLEMENTED: Record<string, string> = {
  source: 'The local video API does not import a video from a URL or copy another video; upload the file instead.',
  clip: 'The local video API does not clip videos.',
  watermark: 'The local video API does not add watermarks.',
};

const CREATE_FIELDS = new Set([
  'title',
  'description',
  'source',
  'public',
  'panoramic',
  'mp4Support',
  'playerId',
  'tags',
  'metadata',
  'clip',
  'watermark',
  'language',
  'transcript',
  'transcriptSummary',
  'transcriptSummaryAttributes',
]);
const UPDATE_FIELDS = new Set([...CREATE_FIELDS].filter((f) => !['source', 'clip', 'watermark'].includes(f)));

const invalid = (name: string, title: string, detail?: string): ProblemItem => ({
  slug: 'invalid-attribute',
  title,
  name,
  ...(detail ? { detail } : {}),
});

function check(body: Record<string, unknown>, allowed: Set<string>, creating: boolean): ProblemItem[] {
  const found: ProblemItem[] = [];
  const { title, description, tags, metadata, language, playerId } = body;
  if (creating && (title === undefined || title === null)) {
    found.push({ slug: 'attribute-required', title: 'This attribute is required.', name: 'title' });
  } else if (title !== undefined && (typeof title !== 'string' || title.trim() === '' || title.length > MAX_TITLE)) {
    found.push(
      invalid('title', 'This attribute must be a string.', `A non-empty string of at most ${MAX_TITLE} characters.`),
    );
  }
  if (description !== undefined && (typeof description !== 'string' || description.length > MAX_DESCRIPTION)) {
    found.push(invalid('description', 'This attribute must be a string.', `At most ${MAX_DESCRIPTION} characters.`));
  }
  for (const name of ['public', 'panoramic', 'mp4Support', 'transcript', 'transcriptSummary']) {
    if (body[name] !== undefined && typeof body[name] !== 'boolean')
      found.push(invalid(name, 'This attribute must be a boolean.'));
  }
  for (const name of ['transcript', 'transcriptSummary']) {
    if (body[name] === true)
      found.push(invalid(name, 'An attribute is invalid.', 'The local video API does not make transcripts.'));
  }
  const attributes = body.transcriptSummaryAttributes;
  if (
    attributes !== undefined &&
    (!Array.isArray(attributes) || !attributes.every((a) => typeof a === 'string' && SUMMARY_ATTRIBUTES.has(a)))
  ) {
    found.push(
      invalid('transcriptSummaryAttributes', 'This attribute must be an array.', 'Of "abstract" and "takeaways".'),
    );
  }
  if (tags !== undefined) {
    if (!Array.isArray(tags)) found.push(invalid('tags', 'This attribute must be an array.'));
    else if (tags.length > MAX_TAGS || !tags.every((t) => typeof t === 'string' && t.length <= MAX_TAG))
      found.push(
        invalid('tags', 'An attribute is invalid.', `At most ${MAX_TAGS} strings of at most ${MAX_TAG} characters.`),
      );
  }
  if (metadata !== undefined) {
    const pair = (m: unknown): m is Metadata =>
      typeof m === 'object' &&
      m !== null &&
      typeof (m as Metadata).key === 'string' &&
      typeof (m as Metadata).value === 'string';
    if (!Array.isArray(metadata)) found.push(invalid('metadata', 'This attribute must be an array.'));
    else if (metadata.length > MAX_METADATA || !metadata.every(pair))
      found.push(
        invalid('metadata', 'An attribute is invalid.', `At most ${MAX_METADATA} {"key", "value"} pairs of strings.`),
      );
  }
  if (language !== undefined && language !== null) {
    if (typeof language !== 'string' || !/^[A-Za-z-]+$/.test(language)) {
      found.push(
        invalid(
          'language',
          'An attribute is invalid.',
          'The "language" attribute must contain only letters and dashes (for example "fr", "fr-BE").',
        ),
      );
    } else if (!LANGUAGES.has(language)) {
      found.push(invalid('language', 'An attribute is invalid.', 'The "language" attribute is not valid.'));
    }
  }
  if (
    playerId !== undefined &&
    !(playerId === null && !creating) &&
    (typeof playerId !== 'string' || playerId === '' || playerId.length > MAX_PLAYER_ID)
  ) {
    found.push(invalid('playerId', 'This attribute must be a string.'));
  }
  for (const name of Object.keys(body)) {
    if (name in NOT_IMPLEMENTED && allowed.has(name)) {
      found.push(invalid(name, 'An attribute is invalid.', NOT_IMPLEMENTED[name]));
    } else if (!allowed.has(name)) {
      found.push(invalid(name, 'An attribute is invalid.', 'This attribute does not exist.'));
    }
  }
  return found;
}

function fields(body: Record<string, unknown>): VideoPatch {
  const metadata = body.metadata as Metadata[] | undefined;
  return {
    title: body.title as string | undefined,
    description: body.description as string | undefined,
    public: body.public as boolean | undefined,
    panoramic: body.panoramic as boolean | undefined,
    mp4Support: body.mp4Support as boolean | undefined,
    tags: body.tags as string[] | undefined,
    metadata: metadata?.map(({ key, value }) => ({ key, value })),
    language: body.language as string | null | undefined,
    playerId: body.playerId as string | null | undefined,
  };
}

/** A `POST /videos` body, or a 400 listing every problem. */
export function parseNewVideo(body: Record<string, unknown>): NewVideo {
  const found = check(body, CREATE_FIELDS, true);
  if (found.length) throw problemList(found);
  return { ...fields(body), title: body.title as string };
}

/** A `PATCH /videos/{id}` body (`{}` is valid), or a 400 listing every problem. */
export function parseVideoPatch(body: Record<string, unknown>): VideoPatch {
  const found = check(body, UPDATE_FIELDS, false);
  if (found.length) throw problemList(found);
  return fields(body);
}
