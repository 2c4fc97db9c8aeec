// The HTML report's page script. It reads the JSON report embedded beside it (the objects
// `--format json --events` writes) and draws the answer, the distributions, the flows table and
// the selected flow's timeline. Charts are uPlot (inlined before this script); timeline marks are
// DOM elements over the chart so they can be hovered, clicked, printed and counted
// (`data-event`). No network access: everything the page shows is in the page.
(function () {
  'use strict';

  const META = JSON.parse(document.getElementById('report-meta').textContent);
  const DATA = JSON.parse(document.getElementById('report-data').textContent);
  // The events travel in an element of their own (written compactly); the report holds them as `events`.
  DATA.events = JSON.parse(document.getElementById('report-events').textContent);
  // Each drawn flow's segments (data, ACKs, SYN/FIN, RSTs, retransmissions), by flow: see marksOf().
  const MARKS = JSON.parse(document.getElementById('report-marks').textContent);
  const SEGMENT_KIND = { D: 'data', A: 'ack', S: 'syn', F: 'fin', R: 'rst', X: 'retransmission' };
  // A merged run's events and marks belong to flows by id alone (a flow's `capture` is the input of its first frame).
  const dataKey = (capture, flow) => (META.merged ? 0 : capture) + ':' + flow;
  const OUTCOME_ORDER = ['timeout', 'reset', 'icmp', 'unanswered', 'alive', 'none'];
  const OUTCOME_TEXT = {
    timeout: 'keepalive gave up', reset: 'probe answered by RST', icmp: 'probe answered by ICMP error',
    unanswered: 'probes unanswered at the end', alive: 'probes answered', none: 'no keepalive probes',
  };
  const ROW_H = 24;
  const PRINT_ROWS = 2000;

  // ---- small helpers -------------------------------------------------------------------------

  function el(tag, attrs, children) {
    const e = document.createElement(tag);
    if (attrs) {
      for (const k of Object.keys(attrs)) {
        const v = attrs[k];
        if (v === null || v === undefined || v === false) continue;
        if (k === 'text') e.textContent = v;
        else if (k === 'class') e.className = v;
        else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
        else e.setAttribute(k, v === true ? '' : String(v));
      }
    }
    if (children) for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }

  /** Like the CLI's formatDuration: `2h 0m 3s`, `15m 0s`, `75.0 s`, `45.3 ms`. */
  function fmtDuration(s) {
    if (s === null || s === undefined || !Number.isFinite(s)) return '-';
    if (s < 0) return '-' + fmtDuration(-s);
    if (s === 0) return '0 s';
    if (s >= 600) {
      const w = Math.round(s), h = Math.floor(w / 3600), m = Math.floor((w % 3600) / 60), r = w % 60;
      return h > 0 ? h + 'h ' + m + 'm ' + r + 's' : m + 'm ' + r + 's';
    }
    if (s >= 1) return s.toFixed(1) + ' s';
    const ms = s * 1000;
    if (ms >= 100) return Math.round(ms) + ' ms';
    if (ms >= 10) return ms.toFixed(1) + ' ms';
    return ms.toFixed(2) + ' ms';
  }

  /** Axis ticks: seconds as `90 s`, `12m`, `1h 5m`. */
  function fmtTick(s) {
    if (!Number.isFinite(s)) return '';
    if (s === 0) return '0';
    const a = Math.abs(s), sign = s < 0 ? '-' : '';
    if (a >= 3600) { const h = Math.floor(a / 3600), m = Math.round((a % 3600) / 60); return sign + h + 'h' + (m ? ' ' + m + 'm' : ''); }
    if (a >= 600) return sign + Math.floor(a / 60) + 'm' + (Math.round(a % 60) ? ' ' + Math.round(a % 60) + 's' : '');
    if (a >= 10) return sign + Math.round(a) + ' s';
    if (a >= 1) return sign + (+a.toFixed(2)) + ' s';
    return sign + (+(a * 1000).toFixed(2)) + ' ms';
  }

  /** ISO UTC with up to 9 fraction digits to [seconds, nanoseconds] (a double of epoch seconds loses ns). */
  function parseIso(iso) {
    const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z$/.exec(iso || '');
    if (!m) return null;
    return [Date.parse(m[1] + 'Z') / 1000, Number((m[2] || '').padEnd(9, '0'))];
  }
  function isoDiff(a, b) {
    const x = parseIso(a), y = parseIso(b);
    return x && y ? (y[0] - x[0]) + (y[1] - x[1]) / 1e9 : null;
  }
  function port(endpoint) {
    const i = endpoint.lastIndexOf(':');
    return i < 0 ? NaN : Number(endpoint.slice(i + 1));
  }
  function fateName(fate) {
    if (fate === null || fate === undefined) return null;
    if (typeof fate !== 'object') return String(fate);
    for (const k of ['how', 'kind', 'verdict', 'state', 'type', 'name']) if (typeof fate[k] === 'string') return fate[k];
    return JSON.stringify(fate);
  }
  function cellText(v) {
    if (v === null || v === undefined) return '-';
    if (typeof v === 'object') return JSON.stringify(v);
    return String(v);
  }

  // ---- the report's flows, as table rows --------------------------------------------------------

  const captures = DATA.captures || [];
  const eventsByFlow = new Map();
  for (const e of DATA.events || []) {
    const k = dataKey(e.capture, e.flow);
    let list = eventsByFlow.get(k);
    if (!list) eventsByFlow.set(k, list = []);
    list.push(e);
  }
  const hasFate = (DATA.flows || []).some((f) => f.fate !== undefined && f.fate !== null);
  const multiCapture = captures.length > 1;

  const rows = (DATA.flows || []).map((f, i) => {
    let outcome = 'none', probes = 0, acked = 0, idle = null;
    for (const k of f.keepalive) {
      probes += k.probes; acked += k.acked;
      if (OUTCOME_ORDER.indexOf(k.outcome) < OUTCOME_ORDER.indexOf(outcome)) outcome = k.outcome;
      if (k.idleSeconds && (idle === null || k.idleSeconds.median < idle)) idle = k.idleSeconds.median;
    }
    const hints = [];
    for (const k of f.keepalive) for (const h of k.settings.middleboxes) if (hints.indexOf(h) < 0) hints.push(h);
    const base = META.merged ? (DATA.merged || {}).firstTime : (captures[f.capture] || {}).firstTime;
    return {
      i, f, key: f.capture + ':' + f.id, dataKey: dataKey(f.capture, f.id), base, outcome, probes, acked, idle,
      start: base ? isoDiff(base, f.firstTime) : 0,
      duration: isoDiff(f.firstTime, f.lastTime),
      fate: fateName(f.fate), hints: hints.join('; '),
      text: (f.client + ' ' + f.server).toLowerCase(), ports: [port(f.client), port(f.server)],
      stack: f.keepalive.map((k) => k.settings.matches).filter((m) => m).join(', '),
    };
  });
  const byKey = new Map(rows.map((r) => [r.key, r]));

  // ---- page skeleton -----------------------------------------------------------------------------

  function captureSpan() {
    const first = captures.map((c) => c.firstTime).filter(Boolean).sort()[0];
    const last = captures.map((c) => c.lastTime).filter(Boolean).sort().pop();
    if (!first) return 'no packets';
    return first + ' – ' + last + ' (' + fmtDuration(isoDiff(first, last)) + ')';
  }

  // ---- the answer --------------------------------------------------------------------------------

  function answerSection() {
    const s = DATA.summary || {};
    const sec = el('section', { id: 'answer' }, [el('h2', { text: 'The answer' })]);
    if (Array.isArray(DATA.paths) && DATA.paths.length > 0) {
      sec.append(el('h3', { text: 'Paths and their idle-timeout brackets' }), objectTable(DATA.paths, 'paths'));
    }
    const counts = {};
    for (const r of rows) counts[r.outcome] = (counts[r.outcome] || 0) + 1;
    const cards = el('div', { class: 'cards', id: 'outcomes' });
    for (const o of OUTCOME_ORDER) {
      if (!counts[o]) continue;
      cards.append(el('button', {
        class: 'card ' + o, 'data-outcome': o, title: 'show only these flows in the table',
        onclick: () => { setOutcomeFilter(o); document.getElementById('flows').scrollIntoView(); },
      }, [el('span', { class: 'n', text: String(counts[o]) }), el('span', { text: o + ' · ' + OUTCOME_TEXT[o] })]));
    }
    sec.append(el('h3', { text: 'Outcomes across flows' }), cards,
      el('p', { class: 'muted', text: (s.reportedFlows !== undefined ? META.reportedFlows + ' flows reported, ' : '')
        + (s.probes || 0) + ' keepalive probes, ' + (s.zeroWindowProbes || 0) + ' zero-window probes. '
        + 'A flow counts under the worst outcome of its probing ends (' + OUTCOME_ORDER.slice(0, 5).join(' > ') + ').' }));
    const boxes = new Map();
    for (const r of rows) for (const k of r.f.keepalive) for (const h of k.settings.middleboxes) boxes.set(h, (boxes.get(h) || 0) + 1);
    if (boxes.size > 0) {
      const t = el('table', { class: 'plain' }, [el('tr', null, [el('th', { text: 'keepalive idle vs catalogue idle timeouts' }), el('th', { text: 'probing ends' })])]);
      for (const [h, n] of [...boxes].sort((a, b) => b[1] - a[1])) t.append(el('tr', null, [el('td', { text: h }), el('td', { class: 'num', text: String(n) })]));
      sec.append(t);
    }
    sec.append(el('h3', { text: 'About the capture' }), warningsList(s));
    return sec;
  }

  function warningsList(s) {
    const items = [];
    captures.forEach((c, i) => {
      const name = multiCapture ? '[' + i + '] ' : '';
      if (c.error) items.push(name + 'reading stopped early: ' + c.error);
      for (const w of c.warnings || []) items.push(name + w);
    });
    if (DATA.merged) for (const w of DATA.merged.warnings || []) items.push('merged: ' + w);
    const weird = s.weird || {};
    const damage = Object.keys(weird).filter((k) => weird[k] > 0);
    if (damage.length) items.push('damaged or odd frames: ' + damage.map((k) => k + ' ' + weird[k]).join(', '));
    if (s.evictedFlows > 0 && !items.some((w) => /evicted/.test(w))) items.push(s.evictedFlows + ' flow(s) evicted at the flow cap');
    // Counters the engine may add later (drops, duplicates folded …) are shown as they are.
    const known = ['flows', 'flowsWithKeepalive', 'probes', 'zeroWindowProbes', 'outcomes', 'evictedFlows', 'expiredFlows', 'nonTcpFrames', 'weird', 'reportedFlows'];
    for (const k of Object.keys(s)) {
      if (known.indexOf(k) >= 0) continue;
      const v = s[k];
      if (typeof v === 'number' && v > 0) items.push(k + ': ' + v);
      else if (v && typeof v === 'object' && Object.keys(v).length) items.push(k + ': ' + JSON.stringify(v));
    }
    if (META.embeddedFlows < META.reportedFlows) items.push((META.reportedFlows - META.embeddedFlows) + ' more flows are not in this page (it holds at most ' + META.maxFlows + '): use --flow/--host/--port to narrow');
    if (META.segmentsLost > 0) items.push(META.segmentsLost + ' segments are not on the timelines: no temporary file could hold them');
    if (META.eventsLeftOut > 0) items.push(META.eventsLeftOut + ' events are not in this page: later flows\' timelines lack them');
    const ul = el('ul', { class: 'warnings', id: 'warnings' });
    for (const w of items) ul.append(el('li', { text: w }));
    if (!items.length) return el('p', { class: 'ok', id: 'warnings', text: 'No warnings: every frame was read, no damage, time never stepped back.' });
    return ul;
  }

  function objectTable(list, id) {
    const keys = [];
    for (const o of list.slice(0, 50)) for (const k of Object.keys(o)) if (keys.indexOf(k) < 0) keys.push(k);
    const t = el('table', { class: 'plain', id }, [el('tr', null, keys.map((k) => el('th', { text: k })))]);
    for (const o of list) t.append(el('tr', null, keys.map((k) => el('td', { text: cellText(o[k]) }))));
    return t;
  }

  // ---- distributions -------------------------------------------------------------------------------

  // Bin edges in seconds; every catalogue idle timeout is an edge, so its marker sits between bars.
  const EDGES = (() => {
    const e = [0, 1, 5, 15, 30, 60, 120, 180, 240, 300, 350, 450, 600, 900, 1200, 1800, 3600, 7200, 7500];
    for (const m of META.middleboxes) if (e.indexOf(m.seconds) < 0) e.push(m.seconds);
    return e.sort((a, b) => a - b);
  })();
  function binOf(v) {
    let i = 0;
    while (i + 1 < EDGES.length && v >= EDGES[i + 1]) i++;
    return i;
  }
  function histogram(values) {
    const n = new Array(EDGES.length).fill(0);
    for (const v of values) if (v !== null && Number.isFinite(v)) n[binOf(v)]++;
    return n;
  }
  function edgeLabel(i) {
    if (i >= EDGES.length) return '';
    return fmtTick(EDGES[i]).replace(' ', '');
  }

  function drawDistributions() {
    const box = document.getElementById('dists');
    const idleBefore = [], lastSeries = new Map();
    for (const r of rows) {
      const ev = eventsByFlow.get(r.dataKey);
      if (ev) {
        for (const e of ev) if (e.type === 'probe' && e.idleSeconds !== null) { idleBefore.push(e.idleSeconds); lastSeries.set(r.key + '/' + e.from, e.idleSeconds); }
      } else {
        for (const k of r.f.keepalive) if (k.idleSeconds) idleBefore.push(k.idleSeconds.median);
      }
    }
    const survived = [], died = [];
    for (const r of rows) {
      if (r.outcome === 'alive') survived.push(r.f.maxIdleSeconds);
      else if (r.outcome === 'timeout' || r.outcome === 'reset' || r.outcome === 'icmp') {
        // The silence before the series that failed: the idle before the prober's last series.
        let v = null;
        for (const k of r.f.keepalive) {
          if (k.outcome !== r.outcome) continue;
          const ep = k.prober === 'client' ? r.f.client : r.f.server;
          const last = lastSeries.get(r.key + '/' + ep);
          v = last !== undefined ? last : (k.idleSeconds ? k.idleSeconds.max : null);
        }
        if (v !== null) died.push(v);
      }
    }
    box.append(
      distChart('dist-idle', 'Idle before a probe series', 'Silence from the last segment the prober heard to its first probe, one per series.',
        [{ label: 'probe series', values: idleBefore, color: '#1f6fd1' }]),
      distChart('dist-maxidle', 'Longest idle per flow', 'The longest silence between two segments of each flow.',
        [{ label: 'flows', values: rows.map((r) => r.f.maxIdleSeconds), color: '#5b6673' }]),
      distChart('dist-fate', 'Gaps survived and gaps before death', 'Survived: longest idle of flows whose probes were answered. Before death: idle before the series that timed out or was reset. The middlebox timeout lies between.',
        [{ label: 'survived', values: survived, color: '#2e8540' }, { label: 'before death', values: died, color: '#c62828' }]),
    );
  }

  function distChart(id, title, help, sets) {
    const wrap = el('div', { class: 'dist', id }, [el('h3', { text: title }), el('p', { class: 'muted', text: help })]);
    const total = sets.reduce((n, s) => n + s.values.filter((v) => v !== null).length, 0);
    if (total === 0) { wrap.append(el('p', { class: 'muted', text: 'Nothing to show in this report.' })); return wrap; }
    wrap.append(el('p', { text: sets.map((s) => s.label + ': ' + s.values.filter((v) => v !== null).length).join(' · ') }));
    const host = el('div');
    wrap.append(host);
    const n = EDGES.length;
    const xs = [];
    for (let i = 0; i < n; i++) xs.push(i + 0.5);
    const data = [xs].concat(sets.map((s) => histogram(s.values)));
    const width = sets.length > 1 ? 0.4 : 0.8;
    requestAnimationFrame(() => {
      const w = Math.max(300, wrap.clientWidth - 14);
      const u = new uPlot({
        width: w, height: 200,
        legend: { show: false },
        cursor: { show: true, drag: { x: false, y: false }, points: { show: false } },
        scales: { x: { time: false, range: [0, n] }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
        axes: [
          { splits: () => EDGES.map((_, i) => i), values: (u, sp) => sp.map((i) => (i % 2 === 0 || w > 700 ? edgeLabel(i) : '')), size: 30, gap: 2 },
          { size: 44, values: (u, sp) => sp.map((v) => (Number.isInteger(v) ? String(v) : '')) },
        ],
        series: [{}].concat(sets.map((s, k) => ({
          label: s.label, stroke: s.color, fill: s.color + 'cc', width: 0,
          points: { show: false },
          paths: uPlot.paths.bars({ size: [width, 80], align: sets.length > 1 ? (k === 0 ? -1 : 1) : 0 }),
        }))),
        hooks: { draw: [(u) => drawCatalogue(u)] },
      }, data, host);
      u.root.title = 'bars: how many fall in each range of seconds; dashed lines: catalogue idle timeouts';
    });
    if (sets.length > 1) {
      wrap.append(el('div', { class: 'legend' }, sets.map((s) => el('span', null, [el('span', { style: 'display:inline-block;width:10px;height:10px;margin-right:4px;background:' + s.color }), s.label]))));
    }
    return wrap;
  }

  function drawCatalogue(u) {
    const ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = '#b5651d'; ctx.fillStyle = '#b5651d'; ctx.setLineDash([4, 3]);
    ctx.font = Math.round(10 * devicePixelRatio) + 'px system-ui, sans-serif';
    let lastX = -1e9;
    for (const m of META.middleboxes) {
      const x = Math.round(u.valToPos(EDGES.indexOf(m.seconds), 'x', true));
      ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
      if (x - lastX > 40 * devicePixelRatio) { ctx.fillText(m.seconds + ' s', x + 2, u.bbox.top + 10 * devicePixelRatio); lastX = x; }
    }
    ctx.restore();
  }

  // ---- the flows table ------------------------------------------------------------------------------

  const COLUMNS = [
    { key: 'flow', title: 'flow', w: '56px', value: (r) => (multiCapture ? r.key : r.f.id), sort: (r) => r.f.capture * 1e9 + r.f.id },
    { key: 'client', title: 'client', w: 'minmax(140px, 1.6fr)', value: (r) => r.f.client, sort: (r) => r.f.client },
    { key: 'server', title: 'server', w: 'minmax(140px, 1.6fr)', value: (r) => r.f.server, sort: (r) => r.f.server },
    { key: 'outcome', title: 'outcome', w: '96px', pill: true, value: (r) => r.outcome, sort: (r) => OUTCOME_ORDER.indexOf(r.outcome) },
  ].concat(hasFate ? [{ key: 'fate', title: 'fate', w: '100px', value: (r) => r.fate || '-', sort: (r) => r.fate || '' }] : []).concat([
    { key: 'probes', title: 'probes', w: '60px', num: true, value: (r) => r.probes, sort: (r) => r.probes },
    { key: 'acked', title: 'answered', w: '80px', num: true, value: (r) => r.acked, sort: (r) => r.acked },
    { key: 'idle', title: 'idle before probe', w: '126px', num: true, value: (r) => fmtDuration(r.idle), sort: (r) => (r.idle === null ? -1 : r.idle) },
    { key: 'maxidle', title: 'longest idle', w: '104px', num: true, value: (r) => fmtDuration(r.f.maxIdleSeconds), sort: (r) => r.f.maxIdleSeconds },
    { key: 'duration', title: 'duration', w: '96px', num: true, value: (r) => fmtDuration(r.duration), sort: (r) => r.duration },
    { key: 'packets', title: 'packets', w: '70px', num: true, value: (r) => r.f.packets, sort: (r) => r.f.packets },
    { key: 'end', title: 'end', w: '48px', value: (r) => r.f.end, sort: (r) => r.f.end },
    { key: 'hints', title: 'stack / middlebox hints', w: 'minmax(110px, 1.4fr)', value: (r) => [r.stack, r.hints].filter(Boolean).join(' · ') || '-', sort: (r) => r.hints },
  ]);

  const view = { order: rows.map((_, i) => i), shown: [], sortKey: 'outcome', sortDir: 1, selected: null, printing: false };
  const filter = { outcome: '', fate: '', addr: '', port: '' };

  function flowsSection() {
    const outcomes = OUTCOME_ORDER.filter((o) => rows.some((r) => r.outcome === o));
    const fates = hasFate ? [...new Set(rows.map((r) => r.fate).filter(Boolean))].sort() : [];
    let timer = 0;
    const later = () => { clearTimeout(timer); timer = setTimeout(applyFilter, 120); };
    const sec = el('section', { id: 'flows' }, [
      el('h2', { text: 'Flows' }),
      el('div', { class: 'filters' }, [
        el('label', null, ['outcome ', el('select', { id: 'f-outcome', onchange: (e) => { filter.outcome = e.target.value; applyFilter(); } },
          [el('option', { value: '', text: 'all' })].concat(outcomes.map((o) => el('option', { value: o, text: o }))))]),
        hasFate ? el('label', null, ['fate ', el('select', { id: 'f-fate', onchange: (e) => { filter.fate = e.target.value; applyFilter(); } },
          [el('option', { value: '', text: 'all' })].concat(fates.map((o) => el('option', { value: o, text: o }))))]) : null,
        el('label', null, ['address ', el('input', { id: 'f-addr', type: 'search', placeholder: 'contains…', size: 18, oninput: (e) => { filter.addr = e.target.value.trim().toLowerCase(); later(); } })]),
        el('label', null, ['port ', el('input', { id: 'f-port', type: 'search', placeholder: 'e.g. 443', size: 6, inputmode: 'numeric', oninput: (e) => { filter.port = e.target.value.trim(); later(); } })]),
        el('span', { id: 'f-count', class: 'muted' }),
      ]),
    ]);
    if (META.embeddedFlows < META.reportedFlows) {
      sec.append(el('div', { class: 'note', id: 'cap-note', text: (META.reportedFlows - META.embeddedFlows) + ' more flows (of ' + META.reportedFlows + ') are not in this page, which holds at most ' + META.maxFlows + ': use --flow/--host/--port to narrow.' }));
    }
    const cols = COLUMNS.map((c) => c.w).join(' ');
    const head = el('div', { class: 'frow fhead', role: 'row', style: '--cols:' + cols });
    for (const c of COLUMNS) {
      head.append(el('span', { role: 'columnheader', class: c.num ? 'num' : null }, [el('button', {
        'data-sort': c.key, title: 'sort by ' + c.title, onclick: () => sortBy(c.key),
      }, [c.title])]));
    }
    const body = el('div', { class: 'fbody', id: 'flow-rows', role: 'rowgroup', style: '--cols:' + cols, tabindex: 0 });
    body.addEventListener('scroll', () => requestAnimationFrame(renderRows));
    body.addEventListener('keydown', onTableKey);
    sec.append(el('div', { class: 'ftable', role: 'table' }, [head, body]));
    return sec;
  }

  function setOutcomeFilter(o) {
    filter.outcome = o;
    document.getElementById('f-outcome').value = o;
    applyFilter();
  }

  function matches(r) {
    if (filter.outcome && r.outcome !== filter.outcome) return false;
    if (filter.fate && r.fate !== filter.fate) return false;
    if (filter.addr && r.text.indexOf(filter.addr) < 0) return false;
    if (filter.port) {
      const p = Number(filter.port);
      if (!(r.ports[0] === p || r.ports[1] === p)) return false;
    }
    return true;
  }

  function sortBy(key) {
    if (view.sortKey === key) view.sortDir = -view.sortDir;
    else { view.sortKey = key; view.sortDir = 1; }
    sortRows();
    applyFilter();
  }

  function sortRows() {
    const col = COLUMNS.find((c) => c.key === view.sortKey);
    const keyOf = rows.map(col.sort);
    const d = view.sortDir;
    view.order.sort((a, b) => {
      const x = keyOf[a], y = keyOf[b];
      if (x < y) return -d;
      if (x > y) return d;
      return a - b;
    });
    for (const b of document.querySelectorAll('.fhead button')) {
      b.setAttribute('aria-sort', b.dataset.sort === view.sortKey ? (d > 0 ? 'ascending' : 'descending') : 'none');
    }
  }

  function applyFilter() {
    view.shown = view.order.filter((i) => matches(rows[i]));
    document.getElementById('f-count').textContent = view.shown.length + ' of ' + rows.length + ' flows';
    const body = document.getElementById('flow-rows');
    body.scrollTop = 0;
    renderRows();
  }

  function rowElement(r) {
    const e = el('div', { class: 'frow' + (view.selected === r.key ? ' selected' : ''), role: 'row', 'data-flow': r.key, onclick: () => select(r.key) });
    for (const c of COLUMNS) {
      const v = c.value(r);
      e.append(el('span', { class: c.num ? 'num' : null, title: String(v) }, [c.pill ? el('span', { class: 'pill ' + v, text: v }) : String(v)]));
    }
    return e;
  }

  // Only the rows in view (and a margin) are in the DOM: a page of 100,000 flows stays quick.
  function renderRows() {
    const body = document.getElementById('flow-rows');
    const n = view.shown.length;
    let from = 0, to = n;
    if (view.printing) to = Math.min(n, PRINT_ROWS);
    else {
      const h = body.clientHeight || 400;
      from = Math.max(0, Math.floor(body.scrollTop / ROW_H) - 20);
      to = Math.min(n, Math.ceil((body.scrollTop + h) / ROW_H) + 20);
    }
    const frag = document.createDocumentFragment();
    frag.append(el('div', { style: 'height:' + (from * ROW_H) + 'px' }));
    for (let k = from; k < to; k++) frag.append(rowElement(rows[view.shown[k]]));
    frag.append(el('div', { style: 'height:' + (view.printing ? 0 : (n - to) * ROW_H) + 'px' }));
    if (view.printing && n > to) frag.append(el('div', { class: 'muted', text: (n - to) + ' more flows not printed' }));
    if (n === 0) frag.append(el('div', { class: 'muted', style: 'padding:6px', text: 'No flow matches the filters.' }));
    body.replaceChildren(frag);
    // A short list needs no tall empty box.
    if (!view.printing) body.style.height = Math.min(Math.max(n, 2) * ROW_H + 4, Math.max(200, Math.round(innerHeight * 0.45)), 520) + 'px';
  }

  function onTableKey(e) {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const at = view.shown.findIndex((i) => rows[i].key === view.selected);
    const next = Math.max(0, Math.min(view.shown.length - 1, at + (e.key === 'ArrowDown' ? 1 : -1)));
    if (view.shown.length === 0) return;
    e.preventDefault();
    select(rows[view.shown[next]].key);
    const body = document.getElementById('flow-rows');
    const y = next * ROW_H;
    if (y < body.scrollTop) body.scrollTop = y;
    else if (y + ROW_H > body.scrollTop + body.clientHeight) body.scrollTop = y + ROW_H - body.clientHeight;
  }

  function select(key) {
    view.selected = key;
    for (const e of document.querySelectorAll('#flow-rows .frow')) e.classList.toggle('selected', e.dataset.flow === key);
    drawTimeline(byKey.get(key));
  }

  window.addEventListener('beforeprint', () => { view.printing = true; document.getElementById('flow-rows').style.height = ''; renderRows(); });
  window.addEventListener('afterprint', () => { view.printing = false; renderRows(); });

  // ---- the timeline of one flow -----------------------------------------------------------------------

  const LANES = { flow: 3, client: 2, server: 1 };
  /** Tick spacings of the time axis, in seconds: round durations at every zoom. */
  const TICK_STEPS = [1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4, 5e-4, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5,
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];
  const LANE_NAMES = { 3: 'flow', 2: 'client', 1: 'server' };
  let timeline = null;

  function describe(e, answered) {
    switch (e.type) {
      case 'probe': return 'keepalive probe ' + e.from + ' → ' + e.to + ', #' + e.series + ' of its series, ' + e.payloadBytes + ' B'
        + (e.idleSeconds !== null ? ', after ' + fmtDuration(e.idleSeconds) + ' idle' : '') + (answered ? ', answered' : ', unanswered') + (e.late ? ' (recognised late)' : '');
      case 'probe-ack': return 'ACK answering the probe of frame ' + e.probeFrame + ', after ' + fmtDuration(e.rttMs / 1000);
      case 'probe-reset': return 'RST answering the probe of frame ' + e.probeFrame + ', after ' + fmtDuration(e.rttMs / 1000);
      case 'probe-icmp': return 'ICMP type ' + e.icmpType + ' code ' + e.icmpCode + ' answering the probe of frame ' + e.probeFrame;
      case 'zero-window-probe': return 'zero-window probe ' + e.from + ' → ' + e.to + ', ' + e.payloadBytes + ' B';
      case 'keepalive-timeout': return 'keepalive of ' + e.from + ' gave up after ' + e.probes + ' unanswered probes (closed with ' + e.via.toUpperCase() + ')';
      default: return e.type;
    }
  }

  /** `base` (ISO UTC) plus `ns` nanoseconds, at base's number of fraction digits. */
  function isoAt(base, ns) {
    const p = parseIso(base);
    if (!p) return null;
    const m = /\.(\d+)Z$/.exec(base);
    const digits = m ? m[1].length : 0;
    let sec = p[0], nsec = p[1] + Math.round(ns);
    sec += Math.floor(nsec / 1e9);
    nsec -= Math.floor(nsec / 1e9) * 1e9;
    const whole = new Date(sec * 1000).toISOString().slice(0, 19);
    return whole + (digits ? '.' + String(nsec).padStart(9, '0').slice(0, digits) : '') + 'Z';
  }

  function describeSegment(k, f) {
    const dir = k.fromClient ? f.client + ' → ' + f.server : f.server + ' → ' + f.client;
    const bytes = k.len > 0 ? ', ' + k.len + ' B' : '';
    switch (k.event) {
      case 'data': return 'data' + bytes + ', ' + dir;
      case 'ack': return 'ACK, ' + dir;
      case 'syn': return 'SYN' + bytes + ', ' + dir;
      case 'fin': return 'FIN' + bytes + ', ' + dir;
      case 'retransmission': return 'retransmission' + bytes + ' (sent before), ' + dir;
      case 'rst': return 'RST, ' + dir + (k.injected ? ': injected by a middlebox (' + (f.fate.clue || 'fingerprint') + ' differs from the peer\'s)' : '');
      default: return k.event;
    }
  }

  /**
   * The flow's segments as timeline marks, or null when the page has none for it. A segment the
   * engine's events already show is left to them: a probe, a zero-window probe, an ACK or RST
   * answering a probe. Retransmissions and other RSTs are always drawn.
   */
  function marksOf(r, ev) {
    const m = MARKS[r.dataKey];
    if (!m) return null;
    const shownBy = new Map();
    for (const e of ev) {
      if (e.type === 'probe' || e.type === 'zero-window-probe') shownBy.set(e.frame, 'probe');
      else if (e.type === 'probe-ack' && !shownBy.has(e.frame)) shownBy.set(e.frame, 'ack');
      else if (e.type === 'probe-reset' && !shownBy.has(e.frame)) shownBy.set(e.frame, 'rst');
    }
    const f = r.f, list = [];
    let frame = 0, ns = 0, injected = f.fate && f.fate.how === 'injected-reset';
    for (let i = 0; i < m.k.length; i++) {
      frame += m.f[i]; ns += m.t[i];
      const kind = SEGMENT_KIND[m.k[i]];
      const by = shownBy.get(frame);
      const hide = by === 'probe' ? (kind !== 'retransmission' && kind !== 'rst') : by !== undefined && by === kind;
      const k = { t: ns / 1e9, lane: m.d[i] === 'c' ? LANES.client : LANES.server, event: kind, seg: true, fromClient: m.d[i] === 'c',
        frame, time: r.base ? isoAt(r.base, ns) : null, len: m.l[i], thinnedBefore: i === m.cut ? m.thin : 0, injected: false };
      if (kind === 'rst' && injected && by === undefined) { k.injected = true; injected = false; }
      k.what = describeSegment(k, f);
      if (!hide) list.push(k);
      else if (k.thinnedBefore) list.push(Object.assign(k, { hidden: true }));
    }
    return { list, thinned: m.thin, segments: m.n };
  }

  /** The marks, silences and catalogue markers of a flow, in seconds since its capture's first packet. */
  function timelineModel(r) {
    const f = r.f, ev = eventsByFlow.get(r.dataKey) || [];
    const answeredFrames = new Set();
    for (const e of ev) if (e.probeFrame !== undefined) answeredFrames.add(e.probeFrame);
    const start = r.start === null ? (ev.length ? ev[0].relTime : 0) : r.start;
    const end = r.duration === null ? start : start + r.duration;
    const laneOf = (ep) => (ep === f.client ? LANES.client : LANES.server);
    const segs = marksOf(r, ev);
    const marks = segs ? segs.list.filter((k) => !k.hidden) : [];
    marks.push({ t: start, lane: LANES.flow, cls: 'packet', point: 'first', frame: f.firstFrame, time: f.firstTime, what: 'first packet of the flow' });
    const heard = [];
    for (const e of ev) {
      const answered = e.type === 'probe' ? answeredFrames.has(e.frame) : null;
      marks.push({ t: e.relTime, lane: laneOf(e.from), event: e.type, answered, frame: e.frame, time: e.time, what: describe(e, answered) });
      if (e.type === 'probe' && e.idleSeconds !== null) {
        heard.push({ t: e.relTime - e.idleSeconds, lane: laneOf(e.to), cls: 'heard', point: 'last-heard', frame: null, time: null,
          what: 'last segment ' + e.from + ' heard from its peer before this probe series (' + fmtDuration(e.idleSeconds) + ' before the probe of frame ' + e.frame + ')' });
      }
    }
    if (f.end === 'rst' && !segs) marks.push({ t: end, lane: LANES.flow, event: 'rst', frame: f.lastFrame, time: f.lastTime, what: 'last packet: the flow ended with a RST' });
    else marks.push({ t: end, lane: LANES.flow, cls: 'packet', point: 'last', frame: f.lastFrame, time: f.lastTime, what: 'last packet of the flow (' + (f.end === 'fin' ? 'closed with FIN' : f.end === 'open' ? 'still open at the end of the capture' : 'evicted') + ')' });
    // Silences between the packets shown: a stretch that ends at a "last heard" point had traffic
    // the timeline does not draw, so it is not called idle.
    // With the flow's segments drawn, a silence is exactly that, except across segments left out
    // in the middle of a long flow.
    const pts = (segs ? segs.list.map((m) => ({ t: m.t, heard: false, thinned: m.thinnedBefore }))
      .concat(marks.filter((m) => !m.seg).map((m) => ({ t: m.t, heard: false, thinned: 0 })))
      : marks.map((m) => ({ t: m.t, heard: false, thinned: 0 })).concat(heard.map((h) => ({ t: h.t, heard: true, thinned: 0 }))))
      .sort((a, b) => a.t - b.t || (a.heard ? 1 : -1) || b.thinned - a.thinned);
    const gaps = [];
    const minGap = Math.max(0.5, (end - start) / 400);
    for (let k = 1; k < pts.length; k++) {
      const a = pts[k - 1].t, b = pts[k].t;
      if (pts[k].thinned) gaps.push({ a, b, traffic: true, thinned: pts[k].thinned });
      else if (b - a >= minGap) gaps.push({ a, b, traffic: pts[k].heard });
    }
    // Catalogue idle timeouts, measured from the last segment heard before the last probe series.
    const from = heard.length ? heard[heard.length - 1].t : null;
    const boxes = from === null ? [] : META.middleboxes.map((m) => ({ t: from + m.seconds, name: m.name, seconds: m.seconds }));
    // Drawn in this order, later ones on top: last-heard ticks, segments, then the events and the first and last packet.
    return { start, end, marks: heard.concat(marks), gaps, boxes, events: ev, from };
  }

  function drawTimeline(r) {
    const host = document.getElementById('tl');
    if (timeline) { timeline.u.destroy(); timeline = null; }
    host.replaceChildren();
    if (!r) { host.append(el('p', { class: 'muted', text: 'Select a flow in the table to see its timeline.' })); return; }
    const m = timelineModel(r);
    const f = r.f;
    host.append(
      el('div', { class: 'tl-head', id: 'tl-title' }, [
        el('strong', { text: 'Flow ' + r.key + ': ' + f.client + ' → ' + f.server }),
        el('span', { class: 'pill ' + r.outcome, text: r.outcome }),
        el('span', { class: 'muted', text: f.packets + ' packets, frames ' + f.firstFrame + '–' + f.lastFrame + ', ' + fmtDuration(r.duration) + (f.midstream ? ', joined mid-stream' : '') }),
      ]),
      el('div', { class: 'tl-tools' }, [
        toolButton('whole flow', 'reset zoom (or double-click the chart)', () => zoomTo(timeline.full[0], timeline.full[1])),
        toolButton('zoom in', 'or scroll up over the chart', () => zoomBy(0.5)),
        toolButton('zoom out', 'or scroll down over the chart', () => zoomBy(2)),
        toolButton('◀ pan', 'or shift + scroll', () => panBy(-0.3)),
        toolButton('pan ▶', 'or shift + scroll', () => panBy(0.3)),
        m.from !== null ? toolButton('last idle', 'zoom to the silence before the last probe series', () => {
          const last = m.marks.filter((x) => x.event === 'probe').pop();
          zoomTo(m.from - (last.t - m.from) * 0.1, Math.max(last.t, ...m.boxes.map((b) => b.t).filter((t) => t <= m.end)) + (last.t - m.from) * 0.15);
        }) : null,
        el('span', { class: 'muted', text: 'Drag across the chart to zoom into a stretch.' }),
      ]),
    );
    const chart = el('div', { class: 'tl-chart', id: 'tl-chart', 'data-timeline-flow': r.key });
    const info = el('div', { class: 'mark-info', id: 'mark-info', text: 'Hover or click a mark: frame, exact time and what it is.' });
    host.append(chart, legend(), info);
    // Every mark inside, even when the capture's time stepped back within the flow.
    let lo = m.start, hi = m.end;
    for (const k of m.marks) { if (k.t < lo) lo = k.t; if (k.t > hi) hi = k.t; }
    const pad = Math.max((hi - lo) * 0.02, 0.5);
    const full = [lo - pad, hi + pad];
    const overlay = el('div', { class: 'overlay' });
    const markEls = m.marks.map((k) => {
      const e = el('button', {
        class: 'mark' + (k.cls ? ' ' + k.cls : '') + (k.seg ? ' seg' : ''), type: 'button', 'data-event': k.event || null, 'data-point': k.point || null,
        'data-seg': k.seg ? k.event : null, 'data-len': k.seg ? k.len : null, 'data-injected': k.injected ? 'yes' : null,
        'data-answered': k.answered === null || k.answered === undefined ? null : (k.answered ? 'yes' : 'no'),
        'data-frame': k.frame, title: markText(k, r),
        onmouseenter: () => { if (!timeline.pinned) info.textContent = markText(k, r); },
        onclick: () => {
          if (timeline.pinned) timeline.pinned.classList.remove('pinned');
          timeline.pinned = timeline.pinned === e ? null : e;
          if (timeline.pinned) e.classList.add('pinned');
          info.textContent = markText(k, r);
        },
      });
      overlay.append(e);
      return e;
    });
    const gapEls = m.gaps.map((g) => {
      const e = g.thinned
        ? el('div', { class: 'gap traffic thinned', 'data-thinned': g.thinned, title: g.thinned + ' segments of this flow are not in the page (it keeps each flow\'s first and last ' + META.marksPerSide + ')' },
          [el('span', { text: g.thinned + ' segments not drawn' })])
        : el('div', { class: 'gap' + (g.traffic ? ' traffic' : ''), 'data-gap': (g.b - g.a).toFixed(6),
          title: g.traffic ? 'traffic the timeline does not draw, then silence' : 'nothing sent for ' + fmtDuration(g.b - g.a) },
        [el('span', { text: g.traffic ? '' : fmtDuration(g.b - g.a) })]);
      overlay.append(e);
      return e;
    });
    const boxEls = m.boxes.map((b) => {
      const e = el('div', { class: 'timeout-line', 'data-timeout': b.seconds, title: b.name + ' idle timeout ' + b.seconds + ' s after the last segment heard' },
        [el('span', { text: b.seconds + ' s ' + b.name.split(' /')[0] })]);
      overlay.append(e);
      return e;
    });
    const width = Math.max(320, chart.clientWidth || host.clientWidth || 800);
    const u = new uPlot({
      width, height: 240,
      legend: { show: false },
      scales: { x: { time: false, range: (u, min, max) => (min === max ? [min - 1, max + 1] : [min, max]) }, y: { range: [0.4, 3.6] } },
      axes: [
        { values: (u, sp) => sp.map(fmtTick), incrs: TICK_STEPS, label: 'time since the capture\'s first packet', labelSize: 18, size: 34 },
        { splits: () => [1, 2, 3], values: (u, sp) => sp.map((v) => LANE_NAMES[v] || ''), size: 56, grid: { show: true } },
      ],
      series: [{}, { label: 'span', stroke: 'transparent', points: { show: false } }],
      cursor: { drag: { x: true, y: false }, points: { show: false }, y: false },
      hooks: { draw: [(u) => place(u)] },
    }, [full, [null, null]], chart);
    u.over.append(overlay);
    timeline = { u, full, pinned: null };
    u.over.addEventListener('wheel', (e) => {
      e.preventDefault();
      if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) { panBy((e.shiftKey ? e.deltaY : e.deltaX) > 0 ? 0.1 : -0.1); return; }
      const at = u.posToVal(e.offsetX, 'x');
      zoomBy(e.deltaY < 0 ? 0.8 : 1.25, at);
    }, { passive: false });
    u.over.addEventListener('dblclick', () => zoomTo(full[0], full[1]));

    function place(u) {
      const min = u.scales.x.min, max = u.scales.x.max;
      const pos = (t) => u.valToPos(t, 'x');
      m.marks.forEach((k, i) => {
        const e = markEls[i];
        const on = k.t >= min && k.t <= max;
        e.style.display = on ? '' : 'none';
        if (on) { e.style.left = pos(k.t) + 'px'; e.style.top = u.valToPos(k.lane, 'y') + 'px'; }
      });
      const y = u.valToPos(LANES.flow, 'y') + 0;
      m.gaps.forEach((g, i) => {
        const e = gapEls[i];
        const a = Math.max(g.a, min), b = Math.min(g.b, max);
        const on = b > a;
        e.style.display = on ? '' : 'none';
        if (!on) return;
        const x0 = pos(a), x1 = pos(b);
        e.style.left = x0 + 'px'; e.style.width = (x1 - x0) + 'px'; e.style.top = (y + 14) + 'px';
        e.firstChild.style.display = x1 - x0 > 46 ? '' : 'none';
      });
      m.boxes.forEach((b, i) => {
        const e = boxEls[i];
        const on = b.t >= min && b.t <= max;
        e.style.display = on ? '' : 'none';
        if (on) e.style.left = pos(b.t) + 'px';
      });
      // Labels of markers closer than their width would overlap: keep the first.
      let lastX = -1e9;
      m.boxes.forEach((b, i) => {
        if (boxEls[i].style.display === 'none') return;
        const x = pos(b.t);
        boxEls[i].firstChild.style.display = x - lastX > 90 ? '' : 'none';
        if (x - lastX > 90) lastX = x;
      });
    }

    host.append(eventsTable(m, r));
  }

  function markText(k, r) {
    const when = k.time ? k.time + ' (' + k.t.toFixed(6) + ' s after the capture\'s first packet)' : 'about ' + k.t.toFixed(6) + ' s after the capture\'s first packet';
    return (k.frame !== null && k.frame !== undefined ? 'frame ' + k.frame + ' · ' : '') + when + ' · ' + k.what;
  }

  function toolButton(text, title, fn) { return el('button', { type: 'button', title, onclick: fn, text }); }
  function zoomTo(a, b) { if (timeline && b > a) timeline.u.setScale('x', { min: a, max: b }); }
  function zoomBy(factor, at) {
    if (!timeline) return;
    const s = timeline.u.scales.x, c = at === undefined ? (s.min + s.max) / 2 : at;
    zoomTo(c - (c - s.min) * factor, c + (s.max - c) * factor);
  }
  function panBy(share) {
    if (!timeline) return;
    const s = timeline.u.scales.x, d = (s.max - s.min) * share;
    zoomTo(s.min + d, s.max + d);
  }

  function legend() {
    const item = (attrs, text) => el('span', null, [el('span', Object.assign({ class: 'mark' }, attrs)), text]);
    return el('div', { class: 'legend no-print-legend' }, [
      item({ 'data-legend': 'probe', style: 'background:var(--alive);border-radius:2px' }, 'probe, answered'),
      item({ style: 'background:#fff;border:2px solid var(--unanswered);border-radius:2px' }, 'probe, unanswered'),
      item({ style: 'background:var(--ack)' }, 'ACK of a probe'),
      item({ style: 'background:var(--reset)' }, 'RST answering a probe'),
      item({ style: 'background:var(--icmp)' }, 'ICMP error'),
      item({ style: 'background:var(--zwp);transform:rotate(45deg);border-radius:2px' }, 'zero-window probe'),
      item({ style: 'background:var(--timeout);border-radius:0' }, 'keepalive gave up'),
      item({ class: 'mark seg', 'data-seg': 'data' }, 'data'),
      item({ class: 'mark seg', 'data-seg': 'ack' }, 'ACK'),
      item({ class: 'mark seg', 'data-seg': 'syn' }, 'SYN'),
      item({ class: 'mark seg', 'data-seg': 'fin' }, 'FIN'),
      item({ class: 'mark seg', 'data-seg': 'retransmission' }, 'retransmission'),
      item({ style: 'background:var(--reset);border-radius:0' }, 'RST'),
      item({ style: 'background:var(--reset);border-radius:0;outline:2px dashed var(--icmp)' }, 'RST injected by a middlebox'),
      item({ class: 'mark packet' }, 'first / last packet'),
      item({ class: 'mark heard' }, 'last segment heard before a probe series'),
      el('span', null, ['··· silence, labelled with its length; ', el('span', { style: 'color:var(--box)' }, ['¦ catalogue idle timeout after the last segment heard'])]),
    ]);
  }

  function eventsTable(m, r) {
    const list = m.marks.filter((k) => k.frame !== null).sort((a, b) => a.t - b.t);
    const t = el('table', { class: 'plain mono' }, [el('tr', null, ['frame', 'time', 's since capture start', 'what'].map((h) => el('th', { text: h })))]);
    for (const k of list.slice(0, 500)) t.append(el('tr', null, [el('td', { text: String(k.frame) }), el('td', { text: k.time || '' }), el('td', { class: 'num', text: k.t.toFixed(6) }), el('td', { text: k.what })]));
    const wrap = el('details', { class: 'events', open: list.length <= 40 }, [el('summary', { text: 'Packets on this timeline (' + list.length + ')' }), t]);
    if (list.length > 500) wrap.append(el('p', { class: 'muted', text: (list.length - 500) + ' more not listed' }));
    if (!eventsByFlow.has(r.key) && r.probes > 0) wrap.append(el('p', { class: 'note', text: 'This flow\'s probe events are not in the page (event cap reached): only its first and last packet are drawn.' }));
    return wrap;
  }

  // ---- start -------------------------------------------------------------------------------------------

  const app = document.getElementById('app');
  const files = captures.map((c) => c.file).join(', ');
  app.append(
    el('header', null, [
      el('h1', { text: 'keepalive report' }),
      el('div', { class: 'muted', text: files + (captures.length ? ' · ' + captureSpan() : '') }),
    ]),
    answerSection(),
    el('section', { id: 'distributions' }, [el('h2', { text: 'Distributions' }), el('div', { class: 'dists', id: 'dists' })]),
    flowsSection(),
    el('section', { id: 'timeline', class: 'timeline' }, [el('h2', { text: 'Timeline' }), el('div', { id: 'tl' })]),
    el('footer', { class: 'muted', text: 'Written by keepalive. Times are from the capture; the timeline shows the packets the analysis reports (see the README, "HTML report").' }),
  );

  sortRows();
  applyFilter();
  drawDistributions();
  if (view.shown.length > 0) select(rows[view.shown[0]].key);
  else drawTimeline(null);
  window.keepaliveReport = { rows: rows.length, select };
})();
