import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import type { UploadToken } from '../../../src/protocol/index.js';
import { UPLOAD_TOKEN_PATTERN } from '../../../src/protocol/index.js';

describe('browser set-up', () => {
  it('reaches the local video API and gets an upload token minted on the Node side', async () => {
    const { url } = await executeServerCommand<{ url: string }, undefined>('video-api');
    expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    const token = await executeServerCommand<UploadToken, { ttl: number }>('mint-token', { ttl: 60 });
    expect(token.token).to.match(UPLOAD_TOKEN_PATTERN);
    expect(token.ttl).to.equal(60);
    // Management routes stay closed to the browser, which has no key.
    const response = await fetch(`${url}/upload-tokens`);
    expect(response.status).to.equal(401);
  });
});
