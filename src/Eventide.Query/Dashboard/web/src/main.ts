import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { Api, ApiError, type Breakdown, type Change, type StoredEvent, type Summary, type Timeseries } from './api';
import { LiveStream } from './live';

const KEY_STORAGE = 'eventide.dashboard.key';
const SITE_STORAGE = 'eventide.dashboard.site';
const THEME_STORAGE = 'eventide.dashboard.theme';
const FEED_MAX = 50;
const LIVE_WINDOW = 60;

const byId = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`#${id} is missing`);
  return el as T;
};

const numberFormat = new Intl.NumberFormat('en-US');
const fmt = (n: number): string => numberFormat.format(n);

interface State {
  api: Api | null;
  key: string | null;
  site: string | null;
  generation: number;
  chart: uPlot | null;
  series: Timeseries | null;
  counts: number;
  liveWindow: number[];
  streams: LiveStream[];
}

const state: State = { api: null, key: null, site: null, generation: 0, chart: null, series: null, counts: 0, liveWindow: [], streams: [] };

// ---- theme ---------------------------------------------------------------

function currentTheme(): 'light' | 'dark' {
  const chosen = document.documentElement.dataset.theme;
  if (chosen === 'light' || chosen === 'dark') return chosen;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function applyTheme(theme: 'light' | 'dark' | null): void {
  if (theme === null) delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  const button = byId<HTMLButtonElement>('theme');
  const dark = currentTheme() === 'dark';
  button.setAttribute('aria-pressed', String(dark));
  button.textContent = dark ? 'Light theme' : 'Dark theme';
  if (state.series !== null) drawChart(state.series);
}

function initTheme(): void {
  const stored = localStorage.getItem(THEME_STORAGE);
  applyTheme(stored === 'light' || stored === 'dark' ? stored : null);
  byId('theme').addEventListener('click', () => {
    const next = currentTheme() === 'dark' ? 'light' : 'dark';
    localStorage.setItem(THEME_STORAGE, next);
    applyTheme(next);
  });
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    if (document.documentElement.dataset.theme === undefined) applyTheme(null);
  });
}

// ---- messages ------------------------------------------------------------

function showError(message: string | null): void {
  const el = byId('error');
  el.hidden = message === null;
  el.textContent = message ?? '';
}

function setStatus(text: string): void {
  byId('status').textContent = text;
}

// ---- range ---------------------------------------------------------------

interface Range { from: string; to: string; interval: 'minute' | 'hour' | 'day'; label: string }

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function intervalFor(ms: number): Range['interval'] {
  if (ms <= 6 * HOUR) return 'minute';
  if (ms <= 14 * DAY) return 'hour';
  return 'day';
}

function localInputValue(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function selectedRange(): Range {
  const choice = byId<HTMLSelectElement>('range').value;
  if (choice === 'custom') {
    const from = new Date(byId<HTMLInputElement>('from').value);
    const to = new Date(byId<HTMLInputElement>('to').value);
    if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) throw new Error('Enter both the start and the end of the custom range.');
    if (to <= from) throw new Error('The end of the custom range must be after its start.');
    return { from: from.toISOString(), to: to.toISOString(), interval: intervalFor(to.getTime() - from.getTime()), label: 'custom range' };
  }
  const lengths: Record<string, [number, string]> = {
    '1h': [HOUR, 'last hour'], '24h': [DAY, 'last 24 hours'], '7d': [7 * DAY, 'last 7 days'], '30d': [30 * DAY, 'last 30 days'],
  };
  const [length, label] = lengths[choice] ?? lengths['24h']!;
  // Whole seconds: the API keeps microseconds, and a round `to` reads better.
  const to = new Date(Math.floor(Date.now() / 1000) * 1000);
  const from = new Date(to.getTime() - length);
  return { from: from.toISOString(), to: to.toISOString(), interval: intervalFor(length), label };
}

// ---- rendering -------------------------------------------------------------

function describeChange(change: Change): string {
  const sign = change.absolute > 0 ? '+' : '';
  const percent = change.percent === null ? 'no previous data' : `${change.percent > 0 ? '+' : ''}${change.percent.toFixed(1)}%`;
  return `${sign}${fmt(change.absolute)} (${percent}) vs previous period`;
}

function renderSummary(summary: Summary): void {
  for (const figure of ['events', 'pageviews', 'unique_users'] as const) {
    const tile = document.querySelector<HTMLElement>(`.tile[data-figure="${figure}"]`)!;
    tile.querySelector('[data-role="value"]')!.textContent = fmt(summary[figure]);
    const change = summary.change[figure];
    const el = tile.querySelector<HTMLElement>('[data-role="change"]')!;
    el.textContent = describeChange(change);
    el.dataset.trend = change.absolute > 0 ? 'up' : change.absolute < 0 ? 'down' : 'flat';
  }
  const f = (s: string) => new Date(s).toLocaleString();
  byId('period').textContent = `${f(summary.from)} – ${f(summary.to)}, compared with ${f(summary.previous.from)} – ${f(summary.previous.to)}`;
}

const EMPTY_LABELS: Record<string, string> = {
  path: '(no path)', referrer: '(direct)', 'property:country': '(unknown)', 'property:device': '(unknown)', name: '(none)',
};

function renderBreakdown(breakdown: Breakdown): void {
  const table = document.querySelector<HTMLTableElement>(`table.top[data-by="${breakdown.by}"]`)!;
  const body = table.tBodies[0]!;
  body.replaceChildren();
  if (breakdown.rows.length === 0) {
    const tr = body.insertRow();
    const td = tr.insertCell();
    td.colSpan = 2;
    td.className = 'muted';
    td.textContent = 'No events in this range';
    return;
  }
  const max = Math.max(...breakdown.rows.map(r => r.events), 1);
  for (const row of breakdown.rows) {
    const tr = body.insertRow();
    tr.dataset.key = row.key ?? '';
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = row.key ?? EMPTY_LABELS[breakdown.by] ?? '(none)';
    const bar = document.createElement('span');
    bar.className = 'bar-fill';
    bar.style.width = `${(row.events / max) * 100}%`;
    th.prepend(bar);
    tr.append(th);
    const td = tr.insertCell();
    td.className = 'num';
    td.textContent = fmt(row.events);
  }
  if (breakdown.by === 'name') {
    const list = byId('event-names');
    list.replaceChildren(...breakdown.rows.filter(r => r.key !== null).map(r => {
      const option = document.createElement('option');
      option.value = r.key!;
      return option;
    }));
  }
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function drawChart(series: Timeseries): void {
  state.series = series;
  const container = byId('chart');
  const xs = series.points.map(p => Date.parse(p.bucket) / 1000);
  const data: uPlot.AlignedData = [xs, series.points.map(p => p.events), series.points.map(p => p.unique_users)];
  state.chart?.destroy();
  container.replaceChildren();
  const axis = { stroke: cssVar('--muted'), grid: { stroke: cssVar('--grid') }, ticks: { stroke: cssVar('--grid') } };
  state.chart = new uPlot({
    width: Math.max(container.clientWidth, 280),
    height: 260,
    series: [
      {},
      { label: 'Events', stroke: cssVar('--accent'), width: 2, fill: cssVar('--accent-fill') },
      { label: 'Unique users', stroke: cssVar('--accent-2'), width: 2 },
    ],
    axes: [axis, axis],
    scales: { x: { time: true } },
  }, data, container);

  const body = document.querySelector<HTMLTableElement>('#series-table')!.tBodies[0]!;
  body.replaceChildren(...series.points.map(p => {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = new Date(p.bucket).toLocaleString();
    const events = document.createElement('td');
    events.className = 'num';
    events.textContent = fmt(p.events);
    const users = document.createElement('td');
    users.className = 'num';
    users.textContent = fmt(p.unique_users);
    tr.append(th, events, users);
    return tr;
  }));
}

// ---- loading ---------------------------------------------------------------

const BREAKDOWNS = ['path', 'referrer', 'property:country', 'property:device', 'name'];

async function load(): Promise<void> {
  const api = state.api;
  const site = state.site;
  if (api === null || site === null) return;
  const generation = ++state.generation;
  document.body.dataset.state = 'loading';
  let range: Range;
  try {
    range = selectedRange();
  } catch (e) {
    showError((e as Error).message);
    document.body.dataset.state = 'error';
    return;
  }
  setStatus(`Loading ${range.label}…`);
  try {
    const [summary, series, ...breakdowns] = await Promise.all([
      api.summary(site, range.from, range.to),
      api.timeseries(site, range.from, range.to, range.interval),
      ...BREAKDOWNS.map(by => api.breakdown(site, range.from, range.to, by)),
    ]);
    if (generation !== state.generation) return;
    showError(null);
    renderSummary(summary);
    drawChart(series);
    for (const b of breakdowns) renderBreakdown(b);
    setStatus(`Showing the ${range.label} of ${site}.`);
    document.body.dataset.state = 'ready';
  } catch (e) {
    if (generation !== state.generation) return;
    handleApiError(e);
  }
}

function handleApiError(e: unknown): void {
  document.body.dataset.state = 'error';
  if (e instanceof ApiError && e.status === 401) {
    signOut('That key is not valid here: paste a read key or the admin token.');
    return;
  }
  showError(e instanceof Error ? e.message : String(e));
}

// ---- live ----------------------------------------------------------------

function stopLive(): void {
  for (const s of state.streams) s.close();
  state.streams = [];
  state.liveWindow = [];
  byId('live-count').textContent = '0';
  byId('feed').replaceChildren();
  byId('feed-empty').hidden = false;
}

function startLive(site: string, key: string): void {
  stopLive();
  const base = `/v1/sites/${encodeURIComponent(site)}`;
  const status = byId('live-status');
  state.streams.push(new LiveStream(`${base}/live`, key, {
    message(json) {
      const m = json as { ts: string; events: number };
      state.liveWindow.push(m.events);
      if (state.liveWindow.length > LIVE_WINDOW) state.liveWindow.shift();
      byId('live-count').textContent = fmt(state.liveWindow.reduce((a, b) => a + b, 0));
    },
    status(transport, text) {
      status.textContent = text;
      if (transport === null) delete status.dataset.transport;
      else status.dataset.transport = transport;
    },
  }));
  state.streams.push(new LiveStream(`${base}/live/feed`, key, {
    message(json) {
      addFeedItem(json as StoredEvent);
    },
    status() {
      // The counter's status line speaks for both streams.
    },
  }));
}

function addFeedItem(e: StoredEvent): void {
  const feed = byId('feed');
  byId('feed-empty').hidden = true;
  const li = document.createElement('li');
  li.dataset.eventId = e.event_id;
  const time = document.createElement('time');
  time.dateTime = e.time;
  time.textContent = new Date(e.time).toLocaleTimeString();
  const name = document.createElement('strong');
  name.textContent = e.name;
  const detail = document.createElement('span');
  const country = e.properties?.['country'];
  detail.textContent = [e.path, e.user_id ? `user ${e.user_id}` : null, typeof country === 'string' ? country : null].filter(Boolean).join(' · ');
  li.append(time, ' ', name, ' ', detail);
  feed.prepend(li);
  while (feed.children.length > FEED_MAX) feed.lastElementChild!.remove();
}

// ---- funnel ----------------------------------------------------------------

function addStep(name = '', path = ''): void {
  const list = byId('funnel-steps');
  const index = list.children.length + 1;
  const li = document.createElement('li');
  li.className = 'step';
  const id = `step-${Date.now().toString(36)}-${index}`;
  const nameLabel = document.createElement('label');
  nameLabel.htmlFor = `${id}-name`;
  const nameInput = document.createElement('input');
  nameInput.id = `${id}-name`;
  nameInput.required = true;
  nameInput.setAttribute('list', 'event-names');
  nameInput.value = name;
  nameInput.dataset.role = 'name';
  const pathLabel = document.createElement('label');
  pathLabel.htmlFor = `${id}-path`;
  const pathInput = document.createElement('input');
  pathInput.id = `${id}-path`;
  pathInput.placeholder = 'any path';
  pathInput.value = path;
  pathInput.dataset.role = 'path';
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.className = 'remove';
  remove.addEventListener('click', () => {
    li.remove();
    relabelSteps();
    byId<HTMLInputElement>('add-step').focus();
  });
  li.append(nameLabel, nameInput, pathLabel, pathInput, remove);
  list.append(li);
  relabelSteps();
}

function relabelSteps(): void {
  const steps = [...byId('funnel-steps').children] as HTMLElement[];
  steps.forEach((li, i) => {
    const labels = li.querySelectorAll('label');
    labels[0]!.textContent = `Step ${i + 1} event`;
    labels[1]!.textContent = `Step ${i + 1} path (optional)`;
    const remove = li.querySelector<HTMLButtonElement>('button.remove')!;
    remove.textContent = 'Remove';
    remove.setAttribute('aria-label', `Remove step ${i + 1}`);
    remove.disabled = steps.length === 1;
  });
  byId<HTMLButtonElement>('add-step').disabled = steps.length >= 10;
}

async function runFunnel(): Promise<void> {
  const api = state.api;
  const site = state.site;
  if (api === null || site === null) return;
  const steps = ([...byId('funnel-steps').children] as HTMLElement[]).map(li => {
    const name = li.querySelector<HTMLInputElement>('[data-role="name"]')!.value.trim();
    const path = li.querySelector<HTMLInputElement>('[data-role="path"]')!.value.trim();
    return path === '' ? { name } : { name, path };
  });
  const table = byId<HTMLTableElement>('funnel-result');
  try {
    const range = selectedRange();
    const answer = await api.funnel(site, range.from, range.to, byId<HTMLSelectElement>('funnel-window').value, steps);
    const body = table.tBodies[0]!;
    body.replaceChildren(...answer.steps.map((s, i) => {
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = `${i + 1}. ${s.name}${s.path ? ` on ${s.path}` : ''}`;
      const users = document.createElement('td');
      users.className = 'num';
      users.textContent = fmt(s.users);
      const conversion = document.createElement('td');
      conversion.className = 'num';
      conversion.textContent = `${(s.conversion * 100).toFixed(1)}%`;
      tr.append(th, users, conversion);
      return tr;
    }));
    table.hidden = false;
    showError(null);
  } catch (e) {
    handleApiError(e);
  }
}

// ---- session -------------------------------------------------------------

function signOut(message: string | null): void {
  stopLive();
  sessionStorage.removeItem(KEY_STORAGE);
  sessionStorage.removeItem(SITE_STORAGE);
  state.api = null;
  state.key = null;
  state.site = null;
  byId('dashboard').hidden = true;
  byId('controls').hidden = true;
  byId('key-form').hidden = false;
  byId<HTMLInputElement>('key').value = '';
  showError(message);
  setStatus('');
  document.body.dataset.state = 'signed-out';
  byId<HTMLInputElement>('key').focus();
}

function selectSite(site: string): void {
  state.site = site;
  sessionStorage.setItem(SITE_STORAGE, site);
  byId('site-title').textContent = site;
  document.title = `${site} · Eventide dashboard`;
  startLive(site, state.key!);
  void load();
}

async function open(key: string): Promise<void> {
  const api = new Api(key);
  let list;
  try {
    list = await api.sites();
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
      signOut(e.status === 401 ? 'Nobody knows that key: paste a read key or the admin token.' : e.message);
    } else {
      showError(e instanceof Error ? e.message : String(e));
    }
    return;
  }
  if (list.sites.length === 0) {
    showError('There is no site yet: create one with `eventide sites create <site>`.');
    return;
  }
  sessionStorage.setItem(KEY_STORAGE, key);
  state.api = api;
  state.key = key;
  byId('key-form').hidden = true;
  byId('controls').hidden = false;
  byId('dashboard').hidden = false;
  showError(null);
  const picker = byId<HTMLSelectElement>('site');
  picker.replaceChildren(...list.sites.map(s => new Option(s, s)));
  byId('site-field').hidden = !list.admin;
  const remembered = sessionStorage.getItem(SITE_STORAGE);
  const site = remembered !== null && list.sites.includes(remembered) ? remembered : list.sites[0]!;
  picker.value = site;
  selectSite(site);
}

function init(): void {
  initTheme();
  addStep('pageview');
  addStep('signup');
  byId('add-step').addEventListener('click', () => {
    addStep();
    const inputs = byId('funnel-steps').querySelectorAll<HTMLInputElement>('[data-role="name"]');
    inputs[inputs.length - 1]!.focus();
  });
  byId('funnel-form').addEventListener('submit', e => {
    e.preventDefault();
    void runFunnel();
  });
  byId('key-form').addEventListener('submit', e => {
    e.preventDefault();
    const key = byId<HTMLInputElement>('key').value.trim();
    if (key !== '') void open(key);
  });
  byId('sign-out').addEventListener('click', () => signOut(null));
  byId('refresh').addEventListener('click', () => void load());
  byId<HTMLSelectElement>('site').addEventListener('change', e => selectSite((e.target as HTMLSelectElement).value));
  const custom = byId<HTMLFormElement>('custom');
  byId<HTMLSelectElement>('range').addEventListener('change', e => {
    const isCustom = (e.target as HTMLSelectElement).value === 'custom';
    custom.hidden = !isCustom;
    if (isCustom) {
      const now = new Date();
      const from = byId<HTMLInputElement>('from');
      const to = byId<HTMLInputElement>('to');
      if (from.value === '') from.value = localInputValue(new Date(now.getTime() - 7 * DAY));
      if (to.value === '') to.value = localInputValue(new Date(now.getTime() + 60_000));
      from.focus();
      return;
    }
    void load();
  });
  custom.addEventListener('submit', e => {
    e.preventDefault();
    void load();
  });
  let resizeTimer: number | undefined;
  new ResizeObserver(() => {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(() => {
      const width = byId('chart').clientWidth;
      if (state.chart !== null && width > 0) state.chart.setSize({ width: Math.max(width, 280), height: 260 });
    }, 100);
  }).observe(byId('chart'));

  const key = sessionStorage.getItem(KEY_STORAGE);
  if (key === null) {
    signOut(null);
  } else {
    void open(key);
  }
}

init();
