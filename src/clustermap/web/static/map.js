/* clustermap — the choropleth of stars (or LQ, employment, share) of one category, year and methodology.
 *
 * Draws the run's regions from /api/geometry with MapLibre GL (WebGL, no tiles: the background is a plain
 * colour) and colours them from /api/map-data. When MapLibre is not there (the set-up script was not run) or
 * the browser has no WebGL, a small canvas-2D renderer draws the same map. Either way the page keeps a table of
 * the same values (the text alternative), the legend, PNG / SVG downloads of the map and CSV / XLSX downloads
 * of the values. window.clustermapMap exposes the state for tests. */
(function () {
  'use strict';
  const cfg = window.CLUSTERMAP;
  if (!cfg) return;
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const C = window.clustermap;
  const EUROPE = [[-10.8, 34.6], [34.6, 70.6]];
  const USA = [[-125.0, 24.0], [-66.5, 49.5]];   // the contiguous states (Alaska, Hawaii: pan or zoom out)
  const BOUNDS = cfg.family === 'US' ? USA : EUROPE;
  const SEA = '#dbe7f0';
  const LAND = '#e6e6e6';      // countries and regions outside the results
  const BORDER = '#8f969c';
  const IMPUTED = '#d95f02';   // dashed outline: the value rests on imputed confidential cells
  const ORGS = '#5e3c99';      // circles of the registry's cluster organisations

  const state = {
    run: cfg.run, methodology: cfg.methodology, year: cfg.year, category: cfg.category, metric: cfg.metric,
    family: cfg.family || 'EU', dataset: cfg.dataset,
    geo: null, data: null, byId: new Map(), renderer: null, hover: null,
  };
  let readyResolve;
  const ready = new Promise((res) => { readyResolve = res; });
  window.clustermapMap = { state, ready, colourAt: null, expectedColour: null, rendererName: null };

  // ------------------------------------------------------------------------------------------ helpers
  function fmt(v, metric) {
    if (v === null || v === undefined) return '–';
    if (metric === 'lq') return v.toFixed(2);
    if (metric === 'share') return (v * 100).toFixed(2) + ' %';
    if (metric === 'stars') return String(v);
    if (metric === 'strong') return v ? 'yes' : 'no';
    return Math.round(v).toLocaleString('en-GB').replace(/,/g, '\u202f');
  }
  // a panorama run gives 0-5 stars (size, specialisation, focus, productivity, dynamism); the others 0-3
  function hasStars() { return state.data.kind === 'stars' || state.data.kind === 'panorama'; }
  function maxStars() { return state.data.kind === 'panorama' ? 5 : 3; }
  function starsText(n) { return n === null || n === undefined ? '–' : (n ? '★'.repeat(n) + ' (' + n + ')' : 'no star'); }
  function hexToRgb(hex) { const n = parseInt(hex.slice(1), 16); return [(n >> 16) & 255, (n >> 8) & 255, n & 255]; }

  function mercator(lon, lat) {
    const x = lon * Math.PI / 180;
    const y = Math.log(Math.tan(Math.PI / 4 + Math.max(-85, Math.min(85, lat)) * Math.PI / 360));
    return [x, y];
  }
  /** a projection fitting the Europe bounds into width × height (pixels), y down */
  function fitProjection(width, height, pad) {
    const [x0, y0] = mercator(BOUNDS[0][0], BOUNDS[0][1]);
    const [x1, y1] = mercator(BOUNDS[1][0], BOUNDS[1][1]);
    const k = Math.min((width - 2 * pad) / (x1 - x0), (height - 2 * pad) / (y1 - y0));
    const ox = (width - k * (x1 - x0)) / 2, oy = (height - k * (y1 - y0)) / 2;
    const fwd = (lon, lat) => { const [x, y] = mercator(lon, lat); return [ox + k * (x - x0), height - (oy + k * (y - y0))]; };
    return fwd;
  }
  function polygonsOf(geom) {
    if (!geom) return [];
    return geom.type === 'Polygon' ? [geom.coordinates] : geom.type === 'MultiPolygon' ? geom.coordinates : [];
  }
  function colourOf(id) {
    const v = state.byId.get(id);
    if (!v || v.klass < 0) return state.data ? state.data.no_data_color : '#c8c8c8';
    return state.data.legend[v.klass].color;
  }
  /** features without data this year whose territory is drawn by a feature with data (old and new codes) */
  function hiddenIds() {
    const covered = new Set();
    for (const f of state.geo.features) if (state.byId.has(f.id)) for (const p of f.properties.drawn_as || []) covered.add(p);
    const hidden = new Set();
    for (const f of state.geo.features) {
      if (state.byId.has(f.id)) continue;
      if ((f.properties.drawn_as || []).some((p) => covered.has(p))) hidden.add(f.id);
    }
    return hidden;
  }

  // -------------------------------------------------------------------------------------- renderers
  function maplibreRenderer(container) {
    const ml = window.maplibregl;
    const map = new ml.Map({
      container,
      style: {
        version: 8,
        sources: {
          regions: { type: 'geojson', data: state.geo, promoteId: 'id' },
          countries: { type: 'geojson', data: state.countries || { type: 'FeatureCollection', features: [] } },
        },
        layers: [
          { id: 'sea', type: 'background', paint: { 'background-color': SEA } },
          { id: 'land', type: 'fill', source: 'countries', paint: { 'fill-color': LAND } },
          { id: 'land-borders', type: 'line', source: 'countries', paint: { 'line-color': '#b9bec2', 'line-width': 0.6 } },
          { id: 'fill', type: 'fill', source: 'regions', paint: {
            'fill-color': ['coalesce', ['feature-state', 'color'], '#c8c8c8'],
            'fill-opacity': ['case', ['boolean', ['feature-state', 'hidden'], false], 0, 1] } },
          { id: 'borders', type: 'line', source: 'regions', paint: {
            'line-color': BORDER, 'line-width': 0.5,
            'line-opacity': ['case', ['boolean', ['feature-state', 'hidden'], false], 0, 1] } },
          { id: 'imputed', type: 'line', source: 'regions', paint: {
            'line-color': IMPUTED, 'line-dasharray': [2, 1],
            'line-width': ['case', ['boolean', ['feature-state', 'imputed'], false], 1.6, 0] } },
          { id: 'hover', type: 'line', source: 'regions', paint: {
            'line-color': '#000000', 'line-width': ['case', ['boolean', ['feature-state', 'hover'], false], 2.2, 0] } },
        ],
      },
      bounds: BOUNDS,
      renderWorldCopies: false,
      attributionControl: { compact: false, customAttribution: state.geo.credit || '© EuroGeographics' },
      canvasContextAttributes: { preserveDrawingBuffer: true, antialias: true },
      preserveDrawingBuffer: true,
      dragRotate: false,
      pitchWithRotate: false,
      maxZoom: 9,
    });
    map.touchZoomRotate.disableRotation();
    map.addControl(new ml.NavigationControl({ showCompass: false }), 'top-right');
    map.getCanvas().setAttribute('aria-label', 'Map: use the arrow keys to pan, + and - to zoom; the table below lists every region');
    let hoverId = null;
    const renderer = {
      name: 'maplibre',
      map,
      loaded: new Promise((res) => map.on('load', () => { map.fitBounds(BOUNDS, { padding: 8, animate: false }); res(); })),
      paint() {
        const hidden = hiddenIds();
        for (const f of state.geo.features) {
          const v = state.byId.get(f.id);
          map.setFeatureState({ source: 'regions', id: f.id }, { color: colourOf(f.id), hidden: hidden.has(f.id), imputed: !!(v && v.imputed) });
        }
        // a map with nothing to recolour (e.g. a run of US CBSAs, which have no shapes) renders no new frame by
        // itself: ask for one, so that 'idle' comes
        const idle = new Promise((res) => map.once('idle', res));
        map.triggerRepaint();
        return idle;
      },
      canvas() { return map.getCanvas(); },
      project(lon, lat) { const p = map.project([lon, lat]); return [p.x, p.y]; },
      onHover(cb) {
        map.on('mousemove', 'fill', (e) => {
          const f = e.features && e.features[0];
          if (!f) return;
          if (hoverId !== null && hoverId !== f.id) map.setFeatureState({ source: 'regions', id: hoverId }, { hover: false });
          hoverId = f.id;
          map.setFeatureState({ source: 'regions', id: hoverId }, { hover: true });
          map.getCanvas().style.cursor = 'pointer';
          cb(f.id, e.point.x, e.point.y);
        });
        map.on('mouseleave', 'fill', () => {
          if (hoverId !== null) map.setFeatureState({ source: 'regions', id: hoverId }, { hover: false });
          hoverId = null;
          map.getCanvas().style.cursor = '';
          cb(null);
        });
      },
      onClick(cb) {
        map.on('click', 'fill', (e) => {
          if (map.getLayer('orgs') && map.getLayoutProperty('orgs', 'visibility') !== 'none'
              && map.queryRenderedFeatures(e.point, { layers: ['orgs'] }).length) return;  // the circle's click wins
          const f = e.features && e.features[0]; if (f) cb(f.id);
        });
      },
      showPoints(data, visible) {
        if (!map.getSource('orgs')) {
          map.addSource('orgs', { type: 'geojson', data });
          map.addLayer({ id: 'orgs', type: 'circle', source: 'orgs', paint: {
            'circle-color': ORGS, 'circle-opacity': 0.85, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1.5,
            'circle-radius': ['+', 5, ['*', 3, ['sqrt', ['get', 'count']]]] } });
          map.on('click', 'orgs', (e) => {
            const f = e.features && e.features[0];
            if (f) window.location.href = '/registry?' + C.qs({ region: f.properties.region });
          });
          map.on('mouseenter', 'orgs', () => { map.getCanvas().style.cursor = 'pointer'; });
        }
        map.setLayoutProperty('orgs', 'visibility', visible ? 'visible' : 'none');
        return new Promise((res) => map.once('idle', res));
      },
    };
    return renderer;
  }

  function canvasRenderer(container) {
    const canvas = document.createElement('canvas');
    canvas.className = 'map-canvas';
    canvas.tabIndex = 0;
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', 'Map of the regions; the table below lists every region');
    container.appendChild(canvas);
    const ctx = canvas.getContext('2d');
    let proj = null, paths = [], landPaths = [];
    function pathOf(geometry) {
      const p = new Path2D();
      for (const poly of polygonsOf(geometry)) for (const ring of poly) {
        ring.forEach(([lon, lat], i) => { const [x, y] = proj(lon, lat); if (i) p.lineTo(x, y); else p.moveTo(x, y); });
        p.closePath();
      }
      return p;
    }
    function layout() {
      const dpr = window.devicePixelRatio || 1;
      const w = container.clientWidth, h = container.clientHeight;
      canvas.width = w * dpr; canvas.height = h * dpr;
      canvas.style.width = w + 'px'; canvas.style.height = h + 'px';
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      proj = fitProjection(w, h, 8);
      paths = state.geo.features.map((f) => [f.id, pathOf(f.geometry)]);
      landPaths = state.countries ? state.countries.features.map((f) => pathOf(f.geometry)) : [];
    }
    let hoverId = null;
    function draw() {
      const hidden = hiddenIds();
      ctx.fillStyle = SEA; ctx.fillRect(0, 0, canvas.width, canvas.height);
      for (const p of landPaths) { ctx.fillStyle = LAND; ctx.fill(p, 'evenodd'); ctx.strokeStyle = '#b9bec2'; ctx.lineWidth = 0.6; ctx.stroke(p); }
      for (const [id, p] of paths) {
        if (hidden.has(id)) continue;
        ctx.fillStyle = colourOf(id); ctx.fill(p, 'evenodd');
        ctx.strokeStyle = BORDER; ctx.lineWidth = 0.5; ctx.stroke(p);
      }
      ctx.setLineDash([4, 2]); ctx.strokeStyle = IMPUTED; ctx.lineWidth = 1.6;
      for (const [id, p] of paths) { const v = state.byId.get(id); if (v && v.imputed && !hidden.has(id)) ctx.stroke(p); }
      ctx.setLineDash([]);
      if (hoverId) { const hp = paths.find(([id]) => id === hoverId); if (hp) { ctx.strokeStyle = '#000'; ctx.lineWidth = 2; ctx.stroke(hp[1]); } }
    }
    function hit(ev) {
      const r = canvas.getBoundingClientRect();
      const x = ev.clientX - r.left, y = ev.clientY - r.top;
      const dpr = window.devicePixelRatio || 1;
      const hidden = hiddenIds();
      for (let i = paths.length - 1; i >= 0; i--) {
        const [id, p] = paths[i];
        ctx.save(); ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
        const inside = !hidden.has(id) && ctx.isPointInPath(p, x * dpr, y * dpr, 'evenodd');
        ctx.restore();
        if (inside) return [id, x, y];
      }
      return [null, x, y];
    }
    layout();
    window.addEventListener('resize', () => { layout(); draw(); });
    return {
      name: 'canvas',
      loaded: Promise.resolve(),
      paint() { draw(); return Promise.resolve(); },
      canvas() { return canvas; },
      project(lon, lat) { return proj(lon, lat); },
      onHover(cb) {
        canvas.addEventListener('mousemove', (ev) => {
          const [id, x, y] = hit(ev);
          if (id !== hoverId) { hoverId = id; draw(); }
          canvas.style.cursor = id ? 'pointer' : '';
          cb(id, x, y);
        });
        canvas.addEventListener('mouseleave', () => { hoverId = null; draw(); cb(null); });
      },
      onClick(cb) { canvas.addEventListener('click', (ev) => { const [id] = hit(ev); if (id) cb(id); }); },
    };
  }

  function webglAvailable() {
    try { const c = document.createElement('canvas'); return !!(c.getContext('webgl2') || c.getContext('webgl')); } catch (e) { return false; }
  }

  // ----------------------------------------------------------------------------------------- the page
  function mapQuery(extra) {
    return C.qs(Object.assign({ run: state.run, year: state.year, category: state.category, metric: state.metric }, extra || {}));
  }

  function renderLegend() {
    const ul = $('#legend');
    if (!ul) return;
    ul.innerHTML = '';
    for (const c of state.data.legend) {
      const li = document.createElement('li');
      li.innerHTML = '<span class="swatch" style="background:' + c.color + '"></span><span class="label"></span><span class="count"></span>';
      li.querySelector('.label').textContent = c.label;
      li.querySelector('.count').textContent = c.count + (c.count === 1 ? ' region' : ' regions');
      ul.appendChild(li);
    }
    const nd = document.createElement('li');
    nd.innerHTML = '<span class="swatch" style="background:' + state.data.no_data_color + '"></span><span class="label">no data this year</span>';
    ul.appendChild(nd);
    if (state.data.values.some((v) => v.imputed)) {
      const im = document.createElement('li');
      im.innerHTML = '<span class="swatch imputed-swatch" style="border:2px dashed ' + IMPUTED + '"></span><span class="label">dashed outline: rests on imputed confidential cells</span>';
      ul.appendChild(im);
    }
    const nc = document.createElement('li');
    nc.innerHTML = '<span class="swatch" style="background:' + LAND + '"></span><span class="label">not in the results</span>';
    ul.appendChild(nc);
  }

  function renderTable() {
    const table = $('#map-table');
    if (!table) return;
    const tbody = table.tBodies[0];
    const rows = state.data.values.slice().sort((a, b) => (b.value ?? -Infinity) - (a.value ?? -Infinity) || (b.employment ?? 0) - (a.employment ?? 0));
    const frag = document.createDocumentFragment();
    for (const v of rows) {
      const tr = document.createElement('tr');
      const href = '/region/' + encodeURIComponent(v.region) + '?' + C.qs({ run: state.run, year: state.year });
      tr.innerHTML = '<th scope="row"><a></a></th><td></td><td class="num"></td><td class="num"></td><td class="num"></td><td class="num"></td>';
      const a = tr.querySelector('a'); a.href = href; a.textContent = v.name;
      tr.children[1].textContent = v.region;
      if (hasStars() && v.stars !== null && v.stars !== undefined) {
        // symbols for the eye, "2 of 3 stars" (or "4 of 5 stars") for screen readers
        tr.children[2].innerHTML = '<span aria-hidden="true"></span><span class="visually-hidden"></span>';
        tr.children[2].firstChild.textContent = starsText(v.stars);
        tr.children[2].lastChild.textContent = v.stars + ' of ' + maxStars() + ' stars';
      } else {
        tr.children[2].textContent = hasStars() ? starsText(v.stars) : (v.strong ? 'strong' : '–');
      }
      tr.children[2].dataset.sort = String(hasStars() ? (v.stars ?? -1) : (v.strong ? 1 : 0));
      tr.children[3].textContent = fmt(v.lq, 'lq'); tr.children[3].dataset.sort = String(v.lq ?? -1);
      // as statistics offices show it: imputed values marked with their bounds, confidential ones as ranges
      tr.children[4].textContent = v.employment_text || fmt(v.employment, 'employment'); tr.children[4].dataset.sort = String(v.employment ?? -1);
      if (v.imputed) tr.children[4].classList.add('imputed');
      if (v.flag_meanings && v.flag_meanings.length) tr.children[4].title = 'Eurostat flags: ' + v.flag_meanings.join('; ');
      tr.children[5].textContent = fmt(v.share, 'share'); tr.children[5].dataset.sort = String(v.share ?? -1);
      frag.appendChild(tr);
    }
    tbody.innerHTML = '';
    tbody.appendChild(frag);
    const caption = table.querySelector('caption');
    if (caption) caption.textContent = state.data.category_name + ', ' + state.data.year + ' (' + state.data.methodology + '): ' + rows.length + ' regions';
  }

  // US CBSAs have no shapes (no delineation to merge counties by): the page says so once, in a notice
  const CBSA_UNDRAWN = new Set(cfg.cbsa_undrawn || []);
  function undrawn() { return state.data.regions_without_shape.filter((c) => !CBSA_UNDRAWN.has(c)); }
  function summaryText() {
    const text = state.data.summary;
    const cbsas = state.data.regions_without_shape.length - undrawn().length;
    if (!cbsas) return text;
    const others = undrawn();
    return text.replace(/ \d+ regions? cannot be drawn: [^.]*\.$/, '') +
      ' ' + cbsas + ' metropolitan area' + (cbsas === 1 ? ' is' : 's are') + ' not drawn (no CBSA shapes: see the notice above the map).' +
      (others.length ? ' ' + others.length + ' other region' + (others.length === 1 ? ' cannot' : 's cannot') + ' be drawn: ' + others.join(', ') + '.' : '');
  }

  function renderText() {
    const s = $('#map-summary');
    const summary = summaryText();
    if (s) s.textContent = summary;
    const container = $('#map');
    if (container) container.setAttribute('aria-label', summary);
    for (const el of $$('[data-title-category]')) el.textContent = state.data.category_name;
    for (const el of $$('[data-title-year]')) el.textContent = state.data.year;
    for (const el of $$('[data-title-metric]')) el.textContent = state.data.metric_label;
    const missing = $('#map-missing');
    if (missing) {
      const n = undrawn().length;
      missing.textContent = n ? (n === 1 ? '1 region of this year has' : n + ' regions of this year have') +
        ' no shape on the 2016 NUTS map (merged or redrawn since): ' + undrawn().join(', ') +
        '. The table lists ' + (n === 1 ? 'it' : 'them') + ' with the others; see Data & method.' : '';
    }
    for (const a of $$('a[data-dl-table]')) {
      a.href = '/api/downloads/' + a.dataset.dlTable + '?' + mapQuery({ format: a.dataset.format });
    }
    if (cfg.mode === 'full') {
      document.title = state.data.category_name + ' clusters, ' + state.data.year + ' · clustermap';
      const keep = new URLSearchParams(window.location.search).get('renderer');
      // every choice in the URL, so that a link shows the same map to whoever opens it
      history.replaceState(null, '', '/?' + C.qs({ run: state.run, dataset: state.dataset, methodology: state.methodology, year: state.year, category: state.category, metric: state.metric, renderer: keep }));
    }
  }

  async function load() {
    const status = $('#map-status');
    if (status) { status.hidden = false; status.textContent = 'Loading…'; }
    try {
      state.data = await C.getJSON('/api/map-data?' + mapQuery());
    } catch (err) {
      if (status) { status.hidden = false; status.textContent = 'Could not load the map data: ' + err.message; }
      throw err;
    }
    state.byId = new Map(state.data.values.map((v) => [v.region, v]));
    renderLegend(); renderTable(); renderText();
    await state.renderer.paint();
    if (status) status.hidden = true;
  }

  function tooltip(id, x, y) {
    const tip = $('#map-tooltip');
    if (!tip) return;
    if (!id) { tip.hidden = true; return; }
    const v = state.byId.get(id);
    const f = state.geo.features.find((g) => g.id === id);
    const name = (v && v.name) || (f && f.properties.name) || id;
    let html = '<strong></strong> <span class="code"></span><br>';
    if (v) {
      html += hasStars() ? 'Stars: ' + starsText(v.stars) + ' of ' + maxStars() + '<br>' : 'Strong cluster: ' + (v.strong ? 'yes' : 'no') + '<br>';
      html += 'LQ: ' + fmt(v.lq, 'lq') + '<br>Employment: <span class="emp"></span><br>Share of region: ' + fmt(v.share, 'share');
      if (v.flag_meanings && v.flag_meanings.length) html += '<br>Flags: <span class="flags"></span>';
    } else {
      html += 'no data for ' + state.year;
    }
    if (f && f.properties.shape === 'approximate') html += '<br><em>drawn approximately as NUTS 2016 ' + f.properties.drawn_as.join(' + ') + ' (' + f.properties.note + ')</em>';
    else if (f && f.properties.shape !== 'exact') html += '<br><em>drawn as NUTS 2016 ' + f.properties.drawn_as.join(' + ') + '</em>';
    tip.innerHTML = html;
    tip.querySelector('strong').textContent = name;
    tip.querySelector('.code').textContent = '(' + id + ')';
    const emp = tip.querySelector('.emp');
    if (emp) emp.textContent = v.employment_text || fmt(v.employment, 'employment');
    const flags = tip.querySelector('.flags');
    if (flags) flags.textContent = v.flag_meanings.join('; ');
    tip.hidden = false;
    const wrap = tip.parentElement.getBoundingClientRect();
    tip.style.left = Math.min(x + 14, wrap.width - tip.offsetWidth - 4) + 'px';
    tip.style.top = Math.min(y + 14, wrap.height - tip.offsetHeight - 4) + 'px';
  }

  // ------------------------------------------------------------------------------------------ exports
  function legendItems() {
    return state.data.legend.map((c) => [c.color, c.label + ' (' + c.count + ')']).concat([[state.data.no_data_color, 'no data'], [LAND, 'not covered']]);
  }
  function titleText() { return state.data.category_name + ', ' + state.data.year + ' — ' + state.data.metric_label + ' (' + state.data.methodology + ')'; }

  function downloadURL(url, name) {
    const a = document.createElement('a');
    a.href = url; a.download = name; document.body.appendChild(a); a.click(); a.remove();
  }
  function fileStem() { return 'clustermap_map_' + state.category + '_' + state.year + '_' + state.metric; }

  function mapPNG() {
    const src = state.renderer.canvas();
    const w = src.width, h = src.height, dpr = window.devicePixelRatio || 1;
    const band = Math.round(64 * dpr);
    const out = document.createElement('canvas');
    out.width = w; out.height = h + band;
    const ctx = out.getContext('2d');
    ctx.fillStyle = '#ffffff'; ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(src, 0, 0);
    ctx.fillStyle = '#1b1b1b';
    ctx.font = (14 * dpr) + 'px system-ui, sans-serif';
    ctx.fillText(titleText(), 8 * dpr, h + 20 * dpr);
    let x = 8 * dpr;
    ctx.font = (12 * dpr) + 'px system-ui, sans-serif';
    for (const [colour, label] of legendItems()) {
      ctx.fillStyle = colour; ctx.fillRect(x, h + 30 * dpr, 12 * dpr, 12 * dpr);
      ctx.strokeStyle = '#555'; ctx.strokeRect(x, h + 30 * dpr, 12 * dpr, 12 * dpr);
      ctx.fillStyle = '#1b1b1b'; ctx.fillText(label, x + 16 * dpr, h + 41 * dpr);
      x += (ctx.measureText(label).width + 30 * dpr);
    }
    ctx.font = (10 * dpr) + 'px system-ui, sans-serif';
    ctx.fillText('Source: Eurostat; boundaries © EuroGeographics; clustermap', 8 * dpr, h + 58 * dpr);
    return out.toDataURL('image/png');
  }

  function mapSVG() {
    const W = 900, H = 760, legendH = 70;
    const proj = fitProjection(W, H, 6);
    const hidden = hiddenIds();
    const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    const parts = [];
    parts.push('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ' + W + ' ' + (H + legendH) + '" width="' + W + '" height="' + (H + legendH) + '" font-family="sans-serif">');
    parts.push('<title>' + esc(titleText()) + '</title><desc>' + esc(state.data.summary) + '</desc>');
    parts.push('<defs><clipPath id="frame"><rect width="' + W + '" height="' + H + '"/></clipPath></defs>');
    parts.push('<rect width="' + W + '" height="' + (H + legendH) + '" fill="#ffffff"/><rect width="' + W + '" height="' + H + '" fill="' + SEA + '"/>');
    const ringPath = (geometry) => {
      let d = '';
      for (const poly of polygonsOf(geometry)) for (const ring of poly) {
        ring.forEach(([lon, lat], i) => { const [x, y] = proj(lon, lat); d += (i ? 'L' : 'M') + x.toFixed(1) + ',' + y.toFixed(1); });
        d += 'Z';
      }
      return d;
    };
    parts.push('<g clip-path="url(#frame)" fill="' + LAND + '" stroke="#b9bec2" stroke-width="0.6">');
    for (const f of (state.countries ? state.countries.features : [])) parts.push('<path d="' + ringPath(f.geometry) + '" fill-rule="evenodd"/>');
    parts.push('</g>');
    parts.push('<g clip-path="url(#frame)" stroke="' + BORDER + '" stroke-width="0.5">');
    for (const f of state.geo.features) {
      if (hidden.has(f.id)) continue;
      const d = ringPath(f.geometry);
      const v = state.byId.get(f.id);
      const label = (v ? v.name : f.properties.name) + ' (' + f.id + ')' + (v ? ': ' + fmt(v.value, state.metric) : ': no data');
      parts.push('<path id="r-' + esc(f.id) + '" d="' + d + '" fill="' + colourOf(f.id) + '" fill-rule="evenodd"><title>' + esc(label) + '</title></path>');
    }
    parts.push('</g>');
    parts.push('<text x="8" y="' + (H + 20) + '" font-size="15" fill="#1b1b1b">' + esc(titleText()) + '</text>');
    let x = 8;
    for (const [colour, label] of legendItems()) {
      parts.push('<rect x="' + x + '" y="' + (H + 30) + '" width="12" height="12" fill="' + colour + '" stroke="#555"/>');
      parts.push('<text x="' + (x + 16) + '" y="' + (H + 41) + '" font-size="12" fill="#1b1b1b">' + esc(label) + '</text>');
      x += 28 + label.length * 6.6;
    }
    parts.push('<text x="8" y="' + (H + 62) + '" font-size="10" fill="#1b1b1b">Source: Eurostat; boundaries © EuroGeographics (GISCO); clustermap</text>');
    parts.push('</svg>');
    return parts.join('');
  }

  // ------------------------------------------------------------------------------------------ testing
  function colourAt(lon, lat) {
    const src = state.renderer.canvas();
    const [x, y] = state.renderer.project(lon, lat);
    const dpr = src.width / src.clientWidth || 1;
    const c = document.createElement('canvas');
    c.width = src.width; c.height = src.height;
    const ctx = c.getContext('2d');
    ctx.drawImage(src, 0, 0);
    const d = ctx.getImageData(Math.round(x * dpr), Math.round(y * dpr), 1, 1).data;
    return [d[0], d[1], d[2], d[3]];
  }

  // ------------------------------------------------------------------------------------------ registry layer
  function centreOf(geometry) {
    // the centre of the bounding box of the feature's largest ring (a point inside most regions' main land)
    let best = null, bestSize = -1;
    for (const poly of polygonsOf(geometry)) {
      const ring = poly[0];
      let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
      for (const [x, y] of ring) { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y); }
      const size = (x1 - x0) * (y1 - y0);
      if (size > bestSize) { bestSize = size; best = [(x0 + x1) / 2, (y0 + y1) / 2]; }
    }
    return best;
  }

  async function registryPoints() {
    // organisations per region of the map: the registry's region facet (NUTS codes of any level) summed to the
    // map's regions (a NUTS-3 code counts for the NUTS-2 region that contains it)
    if (state.orgs) return state.orgs;
    const page = await C.getJSON('/api/registry/search?' + C.qs({ type: 'organisation', per_page: 1 }));
    const counts = new Map();
    const ids = new Set(state.geo.features.map((f) => f.id));
    for (const f of (page.facets && page.facets.region) || []) {
      let code = f.value;
      while (code.length > 2 && !ids.has(code)) code = code.slice(0, -1);
      if (!ids.has(code)) continue;
      counts.set(code, (counts.get(code) || 0) + f.count);
    }
    const features = [];
    for (const f of state.geo.features) {
      if (!counts.has(f.id)) continue;
      const c = centreOf(f.geometry);
      if (c) features.push({ type: 'Feature', id: f.id, properties: { region: f.id, name: f.properties.name || f.id, count: counts.get(f.id) }, geometry: { type: 'Point', coordinates: c } });
    }
    state.orgs = { type: 'FeatureCollection', features, total: page.total };
    return state.orgs;
  }

  async function showRegistry(on) {
    const panel = $('#registry-layer-panel');
    if (!on) {
      if (state.renderer.showPoints && state.orgs) await state.renderer.showPoints(state.orgs, false);
      if (panel) panel.hidden = true;
      window.clustermapMap.registryShown = false;
      return;
    }
    let data;
    try { data = await registryPoints(); } catch (err) {
      if (panel) { panel.hidden = false; $('#registry-layer-note').textContent = 'The registry could not be read: ' + err.message; }
      return;
    }
    if (state.renderer.showPoints) await state.renderer.showPoints(data, true);
    if (panel) {
      panel.hidden = false;
      const n = data.features.reduce((a, f) => a + f.properties.count, 0);
      $('#registry-layer-note').textContent = n + ' cluster organisations in ' + data.features.length + ' regions of this map'
        + (state.renderer.showPoints ? ' (purple circles; click one for the registry)' : '') + ':';
      const list = $('#registry-layer-list');
      list.innerHTML = '';
      for (const f of data.features.slice().sort((a, b) => b.properties.count - a.properties.count)) {
        const li = document.createElement('li');
        const a = document.createElement('a');
        a.href = '/registry?' + C.qs({ region: f.id });
        a.textContent = f.properties.name + ' (' + f.id + '): ' + f.properties.count;
        li.appendChild(a);
        list.appendChild(li);
      }
    }
    window.clustermapMap.registryShown = true;
  }

  // ------------------------------------------------------------------------------------------ start
  async function start() {
    const container = $('#map');
    if (!container) return;
    try {
      const [geo, countries] = await Promise.all([
        C.getJSON('/api/geometry?' + C.qs({ run: state.run })),
        C.getJSON('/api/geometry/countries').catch(() => null),
      ]);
      state.geo = geo; state.countries = countries;
    } catch (err) {
      container.textContent = 'Could not load the region shapes: ' + err.message;
      return;
    }
    const forced = new URLSearchParams(window.location.search).get('renderer');
    const useGL = forced !== 'canvas' && window.maplibregl && webglAvailable();
    state.renderer = useGL ? maplibreRenderer(container) : canvasRenderer(container);
    if (!useGL) {
      const note = $('#map-renderer-note');
      if (note) { note.hidden = false; note.textContent = window.maplibregl ? 'WebGL is not available: the map is drawn without zoom.' : 'The map library is not installed (run scripts/build_web.sh): the map is drawn without zoom.'; }
    }
    await state.renderer.loaded;
    state.renderer.onHover(tooltip);
    state.renderer.onClick((id) => {
      window.location.href = '/region/' + encodeURIComponent(id) + '?' + C.qs({ run: state.run, year: state.year });
    });
    window.clustermapMap.rendererName = state.renderer.name;
    window.clustermapMap.colourAt = colourAt;
    window.clustermapMap.expectedColour = (id) => hexToRgb(colourOf(id));
    window.clustermapMap.project = (lon, lat) => state.renderer.project(lon, lat);
    window.clustermapMap.svg = mapSVG;
    window.clustermapMap.showRegistry = showRegistry;
    await load();

    const form = $('form[data-map-controls]');
    if (form) {
      form.addEventListener('change', async (ev) => {
        const t = ev.target;
        // another run: other years and categories, so the page is rendered again for it
        if (t.name === 'family') { window.location.href = '/?' + C.qs({ family: t.value, metric: state.metric === 'stars' || state.metric === 'strong' ? null : state.metric }); return; }
        if (t.name === 'run') { window.location.href = '/?' + C.qs({ run: t.value, category: state.category, metric: state.metric }); return; }
        if (t.name === 'methodology') { window.location.href = '/?' + C.qs({ methodology: t.value, family: state.family, category: state.category, metric: state.metric }); return; }
        if (t.name === 'registry-layer') { await showRegistry(t.checked); return; }
        if (t.name === 'year') state.year = Number(t.value);
        if (t.name === 'category') state.category = t.value;
        if (t.name === 'metric') state.metric = t.value;
        await load();
      });
      form.addEventListener('submit', (ev) => { if (ev.submitter && ev.submitter.dataset.noscript === undefined) ev.preventDefault(); });
    }
    for (const b of $$('button[data-download]')) {
      b.addEventListener('click', () => {
        if (b.dataset.download === 'png') downloadURL(mapPNG(), fileStem() + '.png');
        else {
          const blob = new Blob([mapSVG()], { type: 'image/svg+xml' });
          const url = URL.createObjectURL(blob);
          downloadURL(url, fileStem() + '.svg');
          setTimeout(() => URL.revokeObjectURL(url), 5000);
        }
      });
    }
    readyResolve(true);
  }
  start().catch((err) => { console.error(err); readyResolve(false); });
})();
