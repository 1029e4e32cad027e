// A live stream (/live or /live/feed) over a WebSocket, falling back to
// server-sent events read with fetch. Browsers cannot put an Authorization
// header on a WebSocket or an EventSource, so:
// - the WebSocket offers the key as a second subprotocol
//   (eventide.bearer.<base64url key>), which the server turns back into the
//   Authorization header and never echoes (it answers eventide.v1);
// - the SSE fallback uses fetch, which can send the header, and parses the
//   `data:` lines itself.

export type Transport = 'websocket' | 'sse';

export interface LiveHandlers {
  message(json: unknown): void;
  status(transport: Transport | null, text: string): void;
}

function base64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export class LiveStream {
  private socket: WebSocket | null = null;
  private abort: AbortController | null = null;
  private retry: number | undefined;
  private closed = false;
  private useSse = false;
  private failures = 0;

  constructor(private readonly path: string, private readonly key: string, private readonly handlers: LiveHandlers) {
    this.connect();
  }

  close(): void {
    this.closed = true;
    window.clearTimeout(this.retry);
    this.socket?.close(1000, 'dashboard closed');
    this.abort?.abort();
  }

  private connect(): void {
    if (this.closed) return;
    if (this.useSse || typeof WebSocket === 'undefined') {
      void this.connectSse();
    } else {
      this.connectWebSocket();
    }
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    this.failures++;
    const delay = Math.min(30_000, 1000 * 2 ** Math.min(this.failures - 1, 5));
    this.retry = window.setTimeout(() => this.connect(), delay);
  }

  private connectWebSocket(): void {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    let received = false;
    const socket = new WebSocket(`${scheme}://${location.host}${this.path}`, ['eventide.v1', `eventide.bearer.${base64Url(this.key)}`]);
    this.socket = socket;
    socket.onopen = () => this.handlers.status('websocket', 'live over WebSocket');
    socket.onmessage = (e: MessageEvent) => {
      received = true;
      this.failures = 0;
      this.deliver(String(e.data));
    };
    socket.onclose = () => {
      if (this.socket !== socket || this.closed) return;
      this.socket = null;
      // A socket that never carried a message (refused, blocked by a proxy,
      // closed at once): use server-sent events from now on.
      if (!received) {
        this.useSse = true;
        this.connect();
        return;
      }
      this.handlers.status(null, 'reconnecting…');
      this.scheduleReconnect();
    };
  }

  private async connectSse(): Promise<void> {
    const abort = new AbortController();
    this.abort = abort;
    try {
      const response = await fetch(this.path, {
        headers: { Authorization: `Bearer ${this.key}`, Accept: 'text/event-stream' },
        cache: 'no-store',
        credentials: 'omit',
        signal: abort.signal,
      });
      if (!response.ok || response.body === null) {
        throw new Error(`live stream answered ${response.status}`);
      }
      this.handlers.status('sse', 'live over server-sent events');
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').filter(l => l.startsWith('data:')).map(l => l.slice(5).trimStart()).join('\n');
          if (data !== '') {
            this.failures = 0;
            this.deliver(data);
          }
        }
      }
    } catch {
      // Aborted by close(), or the connection failed: reconnect below unless closed.
    }
    if (this.closed) return;
    this.handlers.status(null, 'reconnecting…');
    this.scheduleReconnect();
  }

  private deliver(data: string): void {
    try {
      this.handlers.message(JSON.parse(data));
    } catch {
      // A message that is not JSON is not ours to show.
    }
  }
}
