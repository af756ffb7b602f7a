/** Stand-in for vod/legacy/client.ts: the peers' minimal client (sign, POST, JSON.parse) behind the gateway's port. */
import type { LegacyVodClientOptions } from '../../src/vod/legacy/client.js';
import type { VodClient } from '../../src/vod/vod-client.js';
import { createMinimalVodClient } from '../servers/minimal-vod-client.js';

export function createLegacyVodClient(options: LegacyVodClientOptions): VodClient {
  // The bench gives fixed credentials (VOD_SECRET_ID, VOD_SECRET_KEY).
  const setCover = createMinimalVodClient(options.baseUrl!, options.secretId!, options.secretKey!);
  return {
    async setCover(input) {
      const { body } = input;
      const bytes =
        body instanceof Uint8Array ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : Buffer.concat(body);
      const answer = await setCover({ ...input, body: bytes });
      return answer.ok
        ? { ...answer, code: answer.instant ? 2 : 0, attempts: 1 }
        : { ...answer, codeDesc: '', attempts: 1 };
    },
    close: async () => undefined,
  };
}
