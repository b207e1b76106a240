// What any HTTP answer may cost the station, for every outgoing POST (HTTP/JSON platforms, the
// alarm endpoint): an answer body is read up to 1 MB and no further (a receiver, or whoever
// answers in its place, cannot fill the memory of a Pi), and redirects are never followed, so
// the token and headers never go to a host they were not configured for.
export const MAX_ANSWER_BYTES = 1 << 20;

export const HTTP_LIMITS = { maxContentLength: MAX_ANSWER_BYTES, maxBodyLength: MAX_ANSWER_BYTES, maxRedirects: 0 } as const;
