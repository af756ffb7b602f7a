import { request } from 'undici';

/** Sends one operation as a GraphQL-over-HTTP JSON POST and reads the answer. */
export async function postGraphql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: res.statusCode,
    body: (await res.body.json()) as { data?: T | null; errors?: { message: string }[] },
  };
}
