// Sends track, page and identify messages to Eventide with the real Segment Node SDK,
// unmodified, and prints every request it makes and every answer it gets as JSON lines
// so the test can compute what must have been stored. Driven by
// tests/Eventide.Ingestion.Tests/Segment/SegmentSdkTests.cs.
//
// Env: SEGMENT_HOST (http://127.0.0.1:port), SEGMENT_WRITE_KEY, RUN_ID, COUNT (messages
// of each type), FLUSH_AT (messages per batch), CLOCK_SKEW_MS (how far this client's
// clock is off; the SDK's timestamps and sentAt both carry it).
const RealDate = Date;
const skewMs = Number(process.env.CLOCK_SKEW_MS ?? 0);
if (skewMs !== 0) {
  class SkewedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) {
        super(RealDate.now() + skewMs);
      } else {
        super(...args);
      }
    }

    static now() {
      return RealDate.now() + skewMs;
    }
  }
  globalThis.Date = SkewedDate;
}

const { Analytics } = await import('@segment/analytics-node');

const run = process.env.RUN_ID;
const count = Number(process.env.COUNT ?? 5);
const analytics = new Analytics({
  writeKey: process.env.SEGMENT_WRITE_KEY,
  host: process.env.SEGMENT_HOST,
  flushAt: Number(process.env.FLUSH_AT ?? 2),
  flushInterval: 200,
  maxRetries: 5,
});

let errors = 0;
analytics.on('http_request', (request) => {
  console.log(JSON.stringify({ request: JSON.parse(request.body), retry: request.headers['X-Retry-Count'] ?? null }));
});
analytics.on('http_response', (response) => console.log(JSON.stringify({ response: response.status })));
analytics.on('error', (err) => {
  errors++;
  console.log(JSON.stringify({ error: String(err?.reason ?? err?.message ?? err) }));
});

for (let i = 0; i < count; i++) {
  analytics.track({
    userId: `user-${i}`,
    event: 'Order Completed',
    properties: { run, order: i, total: 10.5 * i },
    context: { app: { name: 'eventide-test' } },
  });
  analytics.page({
    anonymousId: `anon-${i}`,
    name: 'Docs',
    properties: { run, path: `/docs/${i}` },
    context: { page: { referrer: `https://ref.example/${i}` } },
  });
  analytics.identify({ userId: `user-${i}`, traits: { run, email: `u${i}@example.com` } });
}

await analytics.closeAndFlush({ timeout: 30000 });
console.log(JSON.stringify({ done: true, errors }));
process.exit(errors === 0 ? 0 : 1);
