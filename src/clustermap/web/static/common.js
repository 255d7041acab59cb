/* clustermap — helpers shared by every page: fetching, the region search box (an ARIA combobox), sortable
 * tables, and the registry entries of a region page. Pages work without this script; it only adds to them. */
(function () {
  'use strict';

  async function getJSON(url) {
    const r = await fetch(url, { headers: { Accept: 'application/json' } });
    if (!r.ok) {
      let msg = r.status + ' ' + r.statusText;
      try { const body = await r.json(); if (body && body.error) msg = body.error.message; } catch (e) { /* not JSON */ }
      const err = new Error(msg); err.status = r.status; throw err;
    }
    return r.json();
  }
  function qs(obj) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(obj)) {
      if (v === null || v === undefined || v === '') continue;
      if (Array.isArray(v)) v.forEach((x) => p.append(k, x)); else p.append(k, v);
    }
    return p.toString();
  }
  window.clustermap = { getJSON, qs };

  // -------------------------------------------------------------------------------- region search
  function regionSearch(form) {
    const input = form.querySelector('input[role="combobox"]');
    const list = form.querySelector('[role="listbox"]');
    let items = [], active = -1, timer = null, seq = 0;
    form.action = '/regions';
    function close() { list.hidden = true; input.setAttribute('aria-expanded', 'false'); input.removeAttribute('aria-activedescendant'); active = -1; }
    function go(code) { window.location.href = '/region/' + encodeURIComponent(code); }
    function show() {
      list.innerHTML = '';
      items.forEach((r, i) => {
        const li = document.createElement('li');
        li.id = 'region-opt-' + i; li.setAttribute('role', 'option');
        const why = r.match && r.match !== 'name' && r.match !== 'code' ? ' · ' + r.match : '';
        li.textContent = r.name + ' (' + r.code + ')' + why + (r.in_results ? '' : ' — no results');
        li.addEventListener('mousedown', (e) => { e.preventDefault(); go(r.code); });
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
      input.setAttribute('aria-expanded', items.length ? 'true' : 'false');
    }
    function mark() {
      Array.from(list.children).forEach((li, i) => li.setAttribute('aria-selected', i === active ? 'true' : 'false'));
      if (active >= 0) input.setAttribute('aria-activedescendant', 'region-opt-' + active);
    }
    input.addEventListener('input', () => {
      clearTimeout(timer);
      const q = input.value.trim();
      if (q.length < 2) { items = []; show(); return; }
      timer = setTimeout(async () => {
        const mine = ++seq;
        try {
          const page = await getJSON('/api/regions?' + qs({ q, limit: 8 }));
          if (mine !== seq) return;
          items = page.items;  // in the server's order: best match first, the NUTS-2 region of a city first
          active = -1; show();
        } catch (e) { items = []; show(); }
      }, 150);
    });
    input.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowDown' && items.length) { active = (active + 1) % items.length; mark(); e.preventDefault(); }
      else if (e.key === 'ArrowUp' && items.length) { active = (active - 1 + items.length) % items.length; mark(); e.preventDefault(); }
      else if (e.key === 'Enter' && active >= 0) { e.preventDefault(); go(items[active].code); }
      else if (e.key === 'Escape') { close(); }
    });
    input.addEventListener('blur', () => setTimeout(close, 100));
  }

  // ------------------------------------------------------------------------------- sortable tables
  function sortable(table) {
    const heads = Array.from(table.tHead ? table.tHead.rows[0].cells : []);
    heads.forEach((th, col) => {
      if (th.dataset.nosort !== undefined || th.querySelector('a, button, input, select')) return; // no nested controls
      const button = document.createElement('button');
      button.type = 'button'; button.className = 'sort';
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener('click', () => {
        const asc = th.getAttribute('aria-sort') === 'descending';
        heads.forEach((h) => h.removeAttribute('aria-sort'));
        th.setAttribute('aria-sort', asc ? 'ascending' : 'descending');
        const rows = Array.from(table.tBodies[0].rows);
        const key = (tr) => {
          const cell = tr.cells[col];
          const s = cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent.trim();
          const n = Number(s.replace(/[\s\u202f,%]/g, ''));
          return Number.isNaN(n) || s === '' ? s.toLowerCase() : n;
        };
        rows.sort((a, b) => { const x = key(a), y = key(b); return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1); });
        rows.forEach((r) => table.tBodies[0].appendChild(r));
      });
    });
  }

  // ------------------------------------------------------------------------------ registry entries
  // The registry's organisations, initiatives, programmes, case studies and members of a region (its code and
  // the regions inside it) or of a category, grouped by kind, each linked to its registry page.
  const KINDS = [
    ['organisation', 'organisations', 'Cluster organisations and initiatives'],
    ['programme', 'programmes', 'Programmes and policies'],
    ['case_study', 'case-studies', 'Case studies'],
    ['member', 'members', 'Members'],
  ];
  async function registryEntries(section) {
    const facet = section.dataset.region ? { region: section.dataset.region } : { category: section.dataset.category };
    const out = section.querySelector('[data-registry-list]');
    try {
      const body = await getJSON('/api/registry/search?' + qs(Object.assign({ per_page: 100 }, facet)));
      const hits = body.hits || [];
      if (!hits.length) { out.textContent = 'The registry has no entry here yet.'; return; }
      out.innerHTML = '';
      for (const [type, plural, title] of KINDS) {
        const mine = hits.filter((h) => h.type === type);
        if (!mine.length) continue;
        const h3 = document.createElement('h3'); h3.textContent = title + ' (' + mine.length + ')';
        const ul = document.createElement('ul'); ul.dataset.registryKind = type;
        for (const h of mine) {
          const li = document.createElement('li');
          const a = document.createElement('a');
          a.href = '/registry/' + plural + '/' + encodeURIComponent(h.slug || h.id);
          a.textContent = h.title;
          li.appendChild(a);
          if (h.summary) { const span = document.createElement('span'); span.className = 'muted small'; span.textContent = ' — ' + (h.summary.length > 200 ? h.summary.slice(0, 197) + '…' : h.summary); li.appendChild(span); }
          ul.appendChild(li);
        }
        out.appendChild(h3); out.appendChild(ul);
      }
      if (body.total > hits.length) {
        const p = document.createElement('p'); const a = document.createElement('a');
        a.href = '/registry?' + qs(facet); a.textContent = 'all ' + body.total + ' registry entries';
        p.appendChild(a); out.appendChild(p);
      }
    } catch (e) {
      out.textContent = e.status === 404 ? 'The registry of cluster organisations is not installed on this server.' : 'Could not read the registry: ' + e.message;
    }
  }

  document.addEventListener('DOMContentLoaded', () => {
    document.querySelectorAll('form[data-region-search]').forEach(regionSearch);
    document.querySelectorAll('table.sortable').forEach(sortable);
    document.querySelectorAll('[data-registry]').forEach(registryEntries);
    document.querySelectorAll('form[data-autosubmit]').forEach((f) => {
      f.addEventListener('change', () => f.submit());
      f.querySelectorAll('[data-noscript]').forEach((b) => { b.hidden = true; });
    });
  });
})();

/* PNG download of a chart: the inline SVG of the button's section drawn on a canvas (2× for sharpness). */
(function () {
  'use strict';
  function svgToPng(svg, name) {
    const box = svg.viewBox.baseVal;
    const w = box && box.width ? box.width : svg.clientWidth, h = box && box.height ? box.height : svg.clientHeight;
    const clone = svg.cloneNode(true);
    clone.setAttribute('width', w); clone.setAttribute('height', h);
    const text = new XMLSerializer().serializeToString(clone);
    const img = new Image();
    img.onload = function () {
      const canvas = document.createElement('canvas');
      canvas.width = w * 2; canvas.height = h * 2;
      const ctx = canvas.getContext('2d');
      ctx.scale(2, 2); ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, w, h); ctx.drawImage(img, 0, 0, w, h);
      canvas.toBlob(function (blob) {
        const a = document.createElement('a');
        a.href = URL.createObjectURL(blob); a.download = name;
        document.body.appendChild(a); a.click(); a.remove();
        setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
      }, 'image/png');
    };
    img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(text);
  }
  document.querySelectorAll('[data-png]').forEach(function (button) {
    const wrap = button.closest('[data-png-wrap]');
    if (wrap) wrap.hidden = false;
    button.addEventListener('click', function () {
      const svg = button.closest('section').querySelector('svg.chart');
      if (svg) svgToPng(svg, button.getAttribute('data-png'));
    });
  });
})();
