// simfleet dashboard: live updates and the connectivity chart. Plain script, no framework:
// the pages are complete without it (server-rendered HTML, GET forms, links); this adds
// the transition stream, swaps the page's live regions in place and draws the chart.
(() => {
  const state = document.getElementById('live-state');
  const updatesSeen = { transitions: 0, refreshes: 0 };

  // The state's words are a status region (announced when the connection changes); the
  // running count beside them is not, so a busy stream does not talk over the page.
  function setLive(kind, text) {
    if (state === null) return;
    state.dataset.state = kind;
    const label = state.querySelector('.live-text');
    if (label !== null && label.textContent !== text) label.textContent = text;
  }

  function setCount(n) {
    const count = state?.querySelector('.live-count');
    if (count) count.textContent = n === 0 ? '' : ` · ${n} received`;
  }

  // ---- chart ------------------------------------------------------------------------
  let plot = null;
  const SERIES = [
    { label: 'into ONLINE', key: 'ONLINE', stroke: '#1b7f3b', dash: [] },
    { label: 'into ATTACHED', key: 'ATTACHED', stroke: '#9a6700', dash: [8, 4] },
    { label: 'into OFFLINE', key: 'OFFLINE', stroke: '#6e7781', dash: [2, 3] },
  ];

  function chartData() {
    const script = document.getElementById('chart-data');
    if (script === null) return null;
    const data = JSON.parse(script.textContent);
    return [data.times, ...SERIES.map((s) => data.into[s.key])];
  }

  function timeLabels(_u, splits) {
    let day = '';
    return splits.map((s) => {
      const iso = new Date(s * 1000).toISOString();
      const label = iso.slice(11, 16);
      if (iso.slice(0, 10) === day) return label;
      day = iso.slice(0, 10);
      return `${label}\n${day}`;
    });
  }

  function drawChart() {
    const target = document.getElementById('chart');
    const data = chartData();
    if (target === null || data === null || typeof uPlot === 'undefined') return;
    const width = Math.max(280, target.clientWidth);
    if (plot?.root.isConnected && target.contains(plot.root)) {
      plot.setData(data);
      return;
    }
    if (plot !== null) plot.destroy();
    target.textContent = '';
    if (data[0].length === 0) {
      target.innerHTML = '<p class="none">No connectivity changes yet.</p>';
      plot = null;
      return;
    }
    plot = new uPlot(
      {
        width,
        height: 240,
        scales: { x: { time: true } },
        // 24-hour UTC labels; the date only where it changes (and on the first tick).
        axes: [
          { values: timeLabels, space: 70 },
          { label: 'changes', size: 56 },
        ],
        series: [
          { label: 'time (UTC)', value: '{YYYY}-{MM}-{DD} {HH}:{mm}:{ss}' },
          ...SERIES.map((s) => ({ label: s.label, stroke: s.stroke, dash: s.dash, width: 2, points: { show: false } })),
        ],
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'),
      },
      data,
      target,
    );
  }

  window.addEventListener('resize', () => {
    const target = document.getElementById('chart');
    if (plot !== null && target !== null) plot.setSize({ width: Math.max(280, target.clientWidth), height: 240 });
  });

  // ---- live regions -------------------------------------------------------------------
  let refreshing = false;
  let again = false;
  let timer = null;

  let lastRefreshMs = 0;

  function scheduleRefresh() {
    if (timer !== null) return;
    // At most about two page refreshes a second however busy the stream is, and less often
    // when a refresh is slow (a big fleet's table): never more than a fifth of the time.
    timer = setTimeout(
      () => {
        timer = null;
        refresh();
      },
      Math.max(400, 4 * lastRefreshMs),
    );
  }

  async function refresh() {
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = true;
    const started = performance.now();
    try {
      const res = await fetch(location.href, { headers: { accept: 'text/html' }, credentials: 'same-origin' });
      if (res.redirected && new URL(res.url).pathname === '/dashboard/sign-in') {
        setLive('offline', 'Signed out: sign in again for live updates');
        source?.close();
        return;
      }
      if (!res.ok) return;
      const next = new DOMParser().parseFromString(await res.text(), 'text/html');
      for (const fresh of next.querySelectorAll('[data-live-region][id]')) {
        const current = document.getElementById(fresh.id);
        if (current === null) continue;
        // Keep keyboard focus on the same link or control when its region is replaced.
        const focused = current.contains(document.activeElement) ? document.activeElement : null;
        const href = focused?.getAttribute('href');
        if (fresh.id === 'chart-section') {
          // The chart keeps its canvas; only its data block is replaced.
          const data = document.getElementById('chart-data');
          const freshData = fresh.querySelector('#chart-data');
          if (data !== null && freshData !== null) data.textContent = freshData.textContent;
          continue;
        }
        current.innerHTML = fresh.innerHTML;
        if (href !== null && href !== undefined) current.querySelector(`[href="${CSS.escape(href)}"]`)?.focus();
      }
      updatesSeen.refreshes += 1;
      drawChart();
      document.body.dataset.refreshes = String(updatesSeen.refreshes);
    } catch {
      // A failed refresh is retried with the next transition.
    } finally {
      lastRefreshMs = performance.now() - started;
      refreshing = false;
      if (again) {
        again = false;
        scheduleRefresh();
      }
    }
  }

  // ---- the transition stream -------------------------------------------------------------
  let source = null;
  if (document.body.dataset.live !== undefined && typeof EventSource !== 'undefined') {
    const filter = document.body.dataset.live;
    source = new EventSource(`/dashboard/live${filter === '' ? '' : `?${filter}`}`);
    source.addEventListener('open', () => setLive('live', 'Live updates: connected'));
    source.addEventListener('error', () => {
      // EventSource reconnects on its own unless the server refused (CLOSED).
      if (source.readyState === EventSource.CLOSED) setLive('offline', 'Live updates: disconnected (reload to retry)');
      else setLive('reconnecting', 'Live updates: reconnecting…');
    });
    source.addEventListener('transition', () => {
      updatesSeen.transitions += 1;
      setLive('live', 'Live updates: connected');
      setCount(updatesSeen.transitions);
      scheduleRefresh();
    });
    window.addEventListener('pagehide', () => source.close());
  } else if (state !== null) {
    setLive('offline', 'Live updates: not on this page');
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', drawChart);
  else drawChart();
})();
