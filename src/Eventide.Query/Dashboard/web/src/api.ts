// The query API as the dashboard uses it. The key travels only in the
// Authorization header (never in a URL, so it stays out of access logs and
// the browser history).

export interface Change { absolute: number; percent: number | null }
export interface Summary {
  site: string; from: string; to: string;
  events: number; pageviews: number; unique_users: number;
  previous: { from: string; to: string; events: number; pageviews: number; unique_users: number };
  change: { events: Change; pageviews: Change; unique_users: Change };
}
export interface Point { bucket: string; events: number; unique_users: number }
export interface Timeseries { interval: string; points: Point[] }
export interface BreakdownRow { key: string | null; events: number }
export interface Breakdown { by: string; rows: BreakdownRow[] }
export interface FunnelStepResult { name: string; path: string | null; users: number; conversion: number }
export interface FunnelResponse { steps: FunnelStepResult[] }
export interface SiteList { admin: boolean; sites: string[] }
export interface StoredEvent {
  time: string; event_id: string; name: string; path: string | null; referrer: string | null;
  user_id: string | null; session_id: string | null; properties: Record<string, unknown> | null;
}

/** An answer other than 2xx, with the problem's detail when the server sent one. */
export class ApiError extends Error {
  constructor(public readonly status: number, message: string) {
    super(message);
  }
}

export class Api {
  constructor(private readonly key: string) {}

  private async request<T>(path: string, init?: RequestInit): Promise<T> {
    const headers = new Headers(init?.headers);
    headers.set('Authorization', `Bearer ${this.key}`);
    headers.set('Accept', 'application/json');
    const response = await fetch(path, { ...init, headers, cache: 'no-store', credentials: 'omit' });
    if (!response.ok) {
      let detail = `${response.status} ${response.statusText}`;
      try {
        const problem = await response.json() as { detail?: string; title?: string };
        detail = problem.detail ?? problem.title ?? detail;
      } catch {
        // Not problem+json: keep the status line.
      }
      throw new ApiError(response.status, detail);
    }
    return await response.json() as T;
  }

  sites(): Promise<SiteList> {
    return this.request<SiteList>('/v1/sites');
  }

  private site(site: string, endpoint: string, query: Record<string, string>): string {
    const params = new URLSearchParams(query);
    return `/v1/sites/${encodeURIComponent(site)}/${endpoint}?${params.toString()}`;
  }

  summary(site: string, from: string, to: string): Promise<Summary> {
    return this.request<Summary>(this.site(site, 'summary', { from, to }));
  }

  timeseries(site: string, from: string, to: string, interval: string): Promise<Timeseries> {
    return this.request<Timeseries>(this.site(site, 'timeseries', { from, to, interval }));
  }

  breakdown(site: string, from: string, to: string, by: string, limit = 10): Promise<Breakdown> {
    return this.request<Breakdown>(this.site(site, 'breakdown', { from, to, by, limit: String(limit) }));
  }

  funnel(site: string, from: string, to: string, window: string, steps: { name: string; path?: string }[]): Promise<FunnelResponse> {
    return this.request<FunnelResponse>(`/v1/sites/${encodeURIComponent(site)}/funnel`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ steps, window, from, to }),
    });
  }
}
