/**
 * A video field for Payload 3. `videoField()` declares the field; `videoUploaderPlugin()` adds the
 * token and video routes to the CMS's server and, with `deleteOnRemove`, deletes videos that a saved
 * entry no longer holds.
 */
import type { CollectionConfig, Config, Field, Plugin } from 'payload';
import { videoUploaderEndpoints } from './endpoints';
import { isVideoField, videoIdOf } from './field';
import { resolveSettings, type Settings, type VideoUploaderPluginOptions } from './settings';
import { deleteVideo } from './video-api';

export { toStoredVideo, validateVideo, videoField, type VideoFieldOptions } from './field';
export { resolveSettings, type VideoUploaderPluginOptions } from './settings';
export type { StoredVideo, VideoDetails } from './types';

export function videoUploaderPlugin(options: VideoUploaderPluginOptions = {}): Plugin {
  return (config: Config): Config => {
    if (options.disabled) return config;
    const settings = resolveSettings(options);
    return {
      ...config,
      collections: (config.collections ?? []).map((collection) => withVideoHooks(collection, settings)),
      endpoints: [...(config.endpoints ?? []), ...videoUploaderEndpoints(settings)],
    };
  };
}

/** Fields whose data sits at the top level of the entry: plain fields, and those inside rows, collapsibles and unnamed tabs. */
function mapTopLevel(fields: Field[], map: (field: Field) => Field): Field[] {
  return fields.map((field) => {
    if (field.type === 'row' || field.type === 'collapsible')
      return { ...field, fields: mapTopLevel(field.fields, map) };
    if (field.type === 'tabs') {
      return {
        ...field,
        tabs: field.tabs.map((tab) =>
          'name' in tab && tab.name ? tab : { ...tab, fields: mapTopLevel(tab.fields, map) },
        ),
      };
    }
    return map(field);
  });
}

async function deleteQuietly(settings: Settings, videoId: string, log: (message: string) => void): Promise<void> {
  try {
    await deleteVideo(settings, videoId);
  } catch (error) {
    // The entry is saved either way; a video left behind is said on the server console.
    log(`video-uploader-payload: could not delete video ${videoId}: ${(error as Error).message}`);
  }
}

function withVideoHooks(collection: CollectionConfig, settings: Settings): CollectionConfig {
  const names: string[] = [];
  const fields = mapTopLevel(collection.fields, (field) => {
    if (!isVideoField(field)) return field;
    names.push(field.name);
    if (!settings.deleteOnRemove) return field;
    return {
      ...field,
      hooks: {
        ...field.hooks,
        afterChange: [
          ...(field.hooks?.afterChange ?? []),
          async ({ value, previousValue, req }) => {
            const before = videoIdOf(previousValue);
            if (before && before !== videoIdOf(value))
              await deleteQuietly(settings, before, (m) => req.payload.logger.error(m));
            return value;
          },
        ],
      },
    };
  });
  if (names.length === 0 || !settings.deleteOnRemove) return { ...collection, fields };
  return {
    ...collection,
    fields,
    hooks: {
      ...collection.hooks,
      afterDelete: [
        ...(collection.hooks?.afterDelete ?? []),
        async ({ doc, req }) => {
          for (const name of names) {
            const videoId = videoIdOf((doc as Record<string, unknown>)[name]);
            if (videoId) await deleteQuietly(settings, videoId, (m) => req.payload.logger.error(m));
          }
        },
      ],
    },
  };
}
