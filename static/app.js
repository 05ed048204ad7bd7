// The search page of roadmap-api. It uses only the public /v1 API, the way a site's own
// page would, so it doubles as an example to copy. No framework, no build step.
//
// Safety rules: text from the API is inserted as text nodes; search snippets keep only
// their <mark> elements (see `snippet`); content HTML (topics, FAQ answers, guides) is
// rebuilt element by element from an allow-list (see `richHtml`), with images and
// embedded frames turned into links so that the page never loads anything from another
// host. The server's Content-Security-Policy backs this up.
'use strict';

(() => {
  const DEBOUNCE_MS = 120;
  const PAGE_SIZE = 20;
  const LIST_LIMIT = 100;

  const input = document.getElementById('q');
  const listbox = document.getElementById('suggestions');
  const view = document.getElementById('view');
  const versionEl = document.getElementById('version');
  const liveEl = document.getElementById('live-state');
  const announceEl = document.getElementById('announce');
  const form = document.getElementById('search-form');

  // ---------------------------------------------------------------- DOM helpers

  /** Builds an element; strings become text nodes, never markup. */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value == null || value === false) continue;
      if (key === 'class') el.className = value;
      else if (key.startsWith('on') && typeof value === 'function') {
        el.addEventListener(key.slice(2), value);
      } else el.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children.flat(Infinity)) {
      if (child == null || child === false) continue;
      el.append(child instanceof Node ? child : String(child));
    }
    return el;
  }

  function announce(text) {
    announceEl.textContent = text;
  }

  const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

  /** Decodes the character references an escaped snippet can contain. */
  function decodeEntities(text) {
    return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, ref) => {
      if (ref[0] === '#') {
        const code = ref[1] === 'x' || ref[1] === 'X'
          ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
      }
      const named = ENTITIES[ref.toLowerCase()];
      return named === undefined ? whole : named;
    });
  }

  /**
   * A search snippet: the API's escaped text with <mark> around matches. Only the
   * literal <mark> and </mark> tags become elements; everything else is decoded and
   * inserted as text, so a snippet cannot carry markup of its own.
   */
  function snippet(text) {
    const fragment = document.createDocumentFragment();
    let marked = false;
    for (const part of String(text || '').split(/(<mark>|<\/mark>)/)) {
      if (part === '<mark>') marked = true;
      else if (part === '</mark>') marked = false;
      else if (part) {
        const node = document.createTextNode(decodeEntities(part));
        fragment.append(marked ? h('mark', null, node) : node);
      }
    }
    return fragment;
  }

  /** An http(s) or mailto URL, absolute, or null for anything else (javascript:, data:). */
  function safeUrl(value) {
    if (!value) return null;
    try {
      const url = new URL(value, location.origin);
      return ['http:', 'https:', 'mailto:'].includes(url.protocol) ? url.href : null;
    } catch {
      return null;
    }
  }

  function isExternal(href) {
    try {
      return new URL(href, location.origin).origin !== location.origin;
    } catch {
      return true;
    }
  }

  function link(href, text, attrs) {
    const url = safeUrl(href);
    if (!url) return h('span', null, text);
    const external = isExternal(url);
    return h('a', Object.assign({ href: url, rel: external ? 'noopener noreferrer' : null }, attrs || {}), text);
  }

  const KEPT = new Set(['P', 'A', 'UL', 'OL', 'LI', 'STRONG', 'EM', 'B', 'I', 'U', 'S', 'DEL',
    'CODE', 'PRE', 'BLOCKQUOTE', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'TABLE', 'THEAD',
    'TBODY', 'TFOOT', 'TR', 'TH', 'TD', 'BR', 'HR', 'SUP', 'SUB', 'DL', 'DT', 'DD', 'SPAN',
    'DIV', 'MARK', 'KBD', 'SMALL', 'CAPTION', 'DETAILS', 'SUMMARY']);
  const DROPPED = new Set(['SCRIPT', 'STYLE', 'OBJECT', 'EMBED', 'TEMPLATE', 'SVG', 'MATH',
    'FORM', 'INPUT', 'BUTTON', 'TEXTAREA', 'SELECT', 'LINK', 'META', 'BASE', 'NOSCRIPT',
    'FRAME', 'FRAMESET', 'AUDIO', 'VIDEO', 'SOURCE', 'TRACK', 'CANVAS', 'HEAD', 'TITLE']);
  const KEPT_ATTRIBUTES = ['title', 'colspan', 'rowspan', 'lang', 'dir', 'start'];

  function cleanNode(node) {
    if (node.nodeType === Node.TEXT_NODE) return document.createTextNode(node.data);
    if (node.nodeType !== Node.ELEMENT_NODE) return null;
    const tag = node.tagName.toUpperCase();
    if (tag === 'IFRAME') {
      const src = safeUrl(node.getAttribute('src'));
      return src ? h('p', null, link(src, node.getAttribute('title') || 'Embedded content')) : null;
    }
    if (tag === 'IMG') {
      // Pictures live on the content's own site; a link keeps this page to one host.
      const src = safeUrl(node.getAttribute('src'));
      const alt = node.getAttribute('alt') || 'image';
      return src ? link(src, `[${alt}]`) : document.createTextNode(`[${alt}]`);
    }
    if (DROPPED.has(tag)) return null;
    const children = document.createDocumentFragment();
    for (const child of node.childNodes) {
      const clean = cleanNode(child);
      if (clean) children.append(clean);
    }
    if (!KEPT.has(tag)) return children;
    if (tag === 'A') {
      const a = link(node.getAttribute('href'), '');
      a.replaceChildren(children);
      return a;
    }
    const el = document.createElement(tag.toLowerCase());
    for (const name of KEPT_ATTRIBUTES) {
      const value = node.getAttribute(name);
      if (value != null) el.setAttribute(name, value);
    }
    el.append(children);
    return el;
  }

  /** Content HTML rebuilt from an allow-list. DOMParser documents are inert: nothing in
   * them loads or runs while they are read. */
  function richHtml(html) {
    const doc = new DOMParser().parseFromString(String(html || ''), 'text/html');
    const fragment = document.createDocumentFragment();
    for (const child of doc.body.childNodes) {
      const clean = cleanNode(child);
      if (clean) fragment.append(clean);
    }
    return h('div', { class: 'content' }, fragment);
  }

  // ---------------------------------------------------------------- API

  class ApiError extends Error {
    constructor(status, problem) {
      super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
      this.status = status;
    }
  }

  async function api(path, signal) {
    // Revalidated every time (an ETag makes that a 304): after a reload the browser must
    // not answer from its heuristic cache of a document with a Last-Modified date.
    const response = await fetch(path, { headers: { Accept: 'application/json' }, cache: 'no-cache', signal });
    if (!response.ok) {
      let problem = null;
      try {
        problem = await response.json();
      } catch {
        // Not a problem document; the status says enough.
      }
      throw new ApiError(response.status, problem);
    }
    return response.json();
  }

  /** Every item of a paginated list. */
  async function allItems(path, signal) {
    const items = [];
    for (let offset = 0; ;) {
      const separator = path.includes('?') ? '&' : '?';
      const page = await api(`${path}${separator}limit=${LIST_LIMIT}&offset=${offset}`, signal);
      const got = page.items || [];
      items.push(...got);
      offset += got.length;
      if (got.length < LIST_LIMIT || (page.total != null && offset >= page.total)) return items;
    }
  }

  /** The page's URL for an API path (`/v1/roadmaps/{id}` → `/roadmaps/{id}`). FAQ entries and
   * questions live on their roadmap's or group's page, at an anchor. */
  function pagePath(apiPath, id) {
    let path = String(apiPath || '/').replace(/^\/v1(?=\/)/, '');
    if (path.endsWith('/faqs')) path = path.slice(0, -'/faqs'.length);
    const question = path.match(/^(\/question-groups\/[^/]+)\/questions\/([^/]+)$/);
    if (question) return `${question[1]}#${question[2]}`;
    const anchor = id && String(id).includes('#') && !path.includes('/topics/')
      ? `#${String(id).split('#').pop()}` : '';
    return path + anchor;
  }

  // ---------------------------------------------------------------- version and live updates

  let version = null;

  function setVersion(value) {
    if (!value || value === version) return;
    version = value;
    versionEl.textContent = value;
  }

  function follow() {
    if (!('EventSource' in window)) return;
    const events = new EventSource('/v1/events');
    events.onopen = () => {
      liveEl.classList.add('on');
      liveEl.title = 'Live updates: connected';
    };
    events.onerror = () => {
      liveEl.classList.remove('on');
      liveEl.title = 'Live updates: reconnecting';
    };
    const changed = (event) => {
      let data = {};
      try {
        data = JSON.parse(event.data || '{}');
      } catch {
        // A malformed event still means "something changed".
      }
      if (data.version) setVersion(data.version);
      announce('Content updated');
      render({ refresh: true });
    };
    events.addEventListener('change', changed);
    events.addEventListener('reset', changed);
  }

  // ---------------------------------------------------------------- routing

  let current = null; // { controller } of the view being rendered

  function navigate(url, { replace = false, focus = true } = {}) {
    if (replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    render({ focus });
  }

  /** Which view a URL shows. */
  function parse(loc) {
    const path = loc.pathname;
    let m;
    if (path === '/' || path === '') return { name: 'search' };
    if ((m = path.match(/^\/(roadmaps|best-practices)\/([^/]+)\/topics\/(.+?)\/?$/))) {
      return { name: 'topic', collection: m[1], id: m[2], topic: m[3] };
    }
    if ((m = path.match(/^\/(roadmaps|best-practices)\/([^/]+)\/?$/))) {
      return { name: 'roadmap', collection: m[1], id: m[2] };
    }
    if ((m = path.match(/^\/(guides|videos|question-groups)\/([^/]+)\/?$/))) {
      return { name: 'document', collection: m[1], id: m[2] };
    }
    return { name: 'missing' };
  }

  async function render({ focus = false, refresh = false } = {}) {
    if (current) current.controller.abort();
    const controller = new AbortController();
    const me = { controller };
    current = me;
    const route = parse(location);
    const scroll = refresh ? window.scrollY : 0;
    try {
      let node;
      if (route.name === 'search') node = await searchView(controller.signal);
      else if (route.name === 'roadmap') node = await roadmapView(route, controller.signal);
      else if (route.name === 'topic') node = await topicView(route, controller.signal);
      else if (route.name === 'document') node = await documentView(route, controller.signal);
      else node = notice('There is no page at this address.', true);
      if (current !== me) return; // a newer view replaced this one
      view.replaceChildren(node);
      if (refresh) window.scrollTo(0, scroll);
      else if (location.hash) scrollToAnchor();
      else if (route.name !== 'search') window.scrollTo(0, 0);
      if (focus && route.name !== 'search') {
        const heading = view.querySelector('h1');
        if (heading) {
          heading.setAttribute('tabindex', '-1');
          heading.focus({ preventScroll: !!location.hash });
        }
      }
    } catch (error) {
      if (error.name === 'AbortError' || current !== me) return;
      view.replaceChildren(error.status === 404
        ? notice(`Not found: ${error.message}`, true)
        : notice(`Could not load this view: ${error.message}`, true));
    }
  }

  function scrollToAnchor() {
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!target) return;
    if (target.tagName === 'DETAILS') target.open = true;
    target.scrollIntoView();
  }

  function notice(text, isError) {
    return h('p', { class: isError ? 'notice error' : 'notice', role: isError ? 'alert' : null }, text);
  }

  function crumbs(items) {
    return h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumbs' },
      items.map((item, i) => [i ? ' › ' : '', item.path ? h('a', { href: item.path }, item.title) : item.title]));
  }

  // ---------------------------------------------------------------- search view

  /** Filters of the results view, from the URL (`type` and `roadmap` repeated or comma-separated). */
  function filters(params, name) {
    return params.getAll(name).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  }

  async function searchView(signal) {
    const params = new URLSearchParams(location.search);
    const q = params.get('q') || '';
    if (document.activeElement !== input && input.value !== q) input.value = q;
    if (!q.trim()) {
      document.title = 'Search · roadmap-api';
      return homeView(signal);
    }
    document.title = `${q} · Search · roadmap-api`;
    const query = new URLSearchParams({ q, limit: String(PAGE_SIZE) });
    const types = filters(params, 'type');
    const roadmaps = filters(params, 'roadmap');
    for (const t of types) query.append('type', t);
    for (const r of roadmaps) query.append('roadmap', r);
    const result = await api(`/v1/search?${query}`, signal);
    setVersion(result.version);
    const main = h('section', { 'aria-labelledby': 'results-heading', id: 'results', 'data-q': q });
    main.append(h('h1', { id: 'results-heading', class: 'visually-hidden' }, 'Search results'));
    if (!result.hits.length) {
      main.append(h('p', { class: 'summary-line', id: 'no-results' }, `No results for “${q}”.`));
      const suggestion = await closestSuggestion(q, signal);
      if (suggestion) {
        const next = new URLSearchParams(params);
        next.set('q', suggestion.title);
        main.append(h('p', { id: 'did-you-mean' }, 'Did you mean ',
          h('a', { href: `/?${next}` }, suggestion.title), '?'));
      }
      announce(`No results for ${q}`);
    } else {
      main.append(h('p', { class: 'summary-line', id: 'result-count' },
        `${result.total} result${result.total === 1 ? '' : 's'} for “${q}”`,
        result.relaxed ? ' (not every word matched)' : ''));
      main.append(h('ol', { class: 'hits', id: 'hits' }, result.hits.map(hitItem)));
      announce(`${result.total} results`);
    }
    return h('div', { class: 'results-layout' },
      facetsPanel(result.facets || {}, types, roadmaps), main);
  }

  function hitItem(hit) {
    return h('li', { class: 'hit', 'data-kind': hit.kind },
      h('h3', null, h('span', { class: 'kind' }, kindLabel(hit.kind)),
        h('a', { href: pagePath(hit.path, hit.id) }, hit.title)),
      hit.breadcrumbs && hit.breadcrumbs.length > 1
        ? h('div', { class: 'crumbs' }, hit.breadcrumbs.slice(0, -1).join(' › ')) : null,
      hit.snippet ? h('p', { class: 'snippet' }, snippet(hit.snippet)) : null);
  }

  const KIND_LABELS = {
    topic: 'Topic', roadmap: 'Roadmap', bestPractice: 'Best practice', guide: 'Guide',
    video: 'Video', faq: 'FAQ', question: 'Question', questionGroup: 'Questions',
  };

  function kindLabel(kind) {
    return KIND_LABELS[kind] || kind;
  }

  /** What to offer when nothing matched: the first suggestion for the query, else for
   * its longest word, else for that word cut back a letter at a time (a typo the search
   * cannot absorb is often near the end: `certifcatesss`). At most eight look-ups. */
  async function closestSuggestion(q, signal) {
    const tries = [q];
    const longest = q.split(/\s+/).filter(Boolean).sort((a, b) => b.length - a.length)[0] || '';
    if (longest && longest !== q) tries.push(longest);
    for (let end = longest.length - 1; end >= 4 && tries.length < 8; end -= 1) {
      tries.push(longest.slice(0, end));
    }
    for (const attempt of tries) {
      const result = await api(`/v1/suggest?${new URLSearchParams({ q: attempt, limit: '1' })}`, signal);
      if (result.items && result.items.length) return result.items[0];
    }
    return null;
  }

  function facetsPanel(facets, types, roadmaps) {
    const group = (legend, name, values, chosen) => {
      const shown = [...(values || [])];
      for (const value of chosen) {
        if (!shown.some((f) => f.value === value)) shown.push({ value, label: value, count: 0 });
      }
      if (!shown.length) return null;
      return h('fieldset', { 'data-facet': name },
        h('legend', null, legend),
        shown.map((f) => h('label', null,
          h('input', {
            type: 'checkbox', name, value: f.value, checked: chosen.includes(f.value),
            onchange: onFacetChange,
          }),
          h('span', null, f.label || f.value),
          h('span', { class: 'count', 'aria-label': `${f.count} results` }, String(f.count)))));
    };
    return h('aside', { class: 'facets', 'aria-label': 'Filters' },
      group('Kind', 'type', facets.kind, types),
      group('Roadmap', 'roadmap', facets.roadmap, roadmaps));
  }

  function onFacetChange() {
    const params = new URLSearchParams(location.search);
    for (const name of ['type', 'roadmap']) {
      params.delete(name);
      for (const box of view.querySelectorAll(`input[type=checkbox][name=${name}]:checked`)) {
        params.append(name, box.value);
      }
    }
    navigate(`/?${params}`, { focus: false });
  }

  async function homeView(signal) {
    const [roadmaps, practices] = await Promise.all([
      allItems('/v1/roadmaps', signal),
      allItems('/v1/best-practices', signal),
    ]);
    const cards = (items) => h('ul', { class: 'cards' }, items.map((r) => h('li', null,
      h('a', { href: pagePath(r.path) }, r.title),
      h('p', null, `${r.topicCount} topics · ${r.briefDescription || r.description || ''}`))));
    return h('div', null,
      h('h1', null, 'Roadmaps'), cards(roadmaps),
      practices.length ? [h('h2', null, 'Best practices'), cards(practices)] : null);
  }

  // ---------------------------------------------------------------- roadmap view

  function outline(items) {
    return h('ul', null, items.map((t) => h('li', { class: t.children && t.children.length ? 'group' : null },
      h('a', { href: pagePath(t.path), 'data-topic': t.id }, t.title),
      t.children && t.children.length ? outline(t.children) : null)));
  }

  async function roadmapView(route, signal) {
    const base = `/v1/${route.collection}/${route.id}`;
    const [detail, topics, faqs, related] = await Promise.all([
      api(base, signal),
      allItems(`${base}/topics`, signal),
      allItems(`${base}/faqs`, signal),
      allItems(`${base}/related`, signal),
    ]);
    document.title = `${detail.title} · roadmap-api`;
    const home = { title: 'Search', path: '/' };
    return h('article', { class: 'roadmap', 'data-id': detail.id },
      crumbs([home, { title: detail.title }]),
      h('h1', null, detail.title),
      h('p', { class: 'lead' }, detail.description),
      h('p', { class: 'summary-line', id: 'topic-count' },
        `${detail.topicCount} topic${detail.topicCount === 1 ? '' : 's'}`),
      h('section', { 'aria-labelledby': 'topics-heading' },
        h('h2', { id: 'topics-heading' }, 'Topics'),
        topics.length
          ? h('nav', { class: 'outline', 'aria-labelledby': 'topics-heading' }, outline(topics))
          : h('p', null, 'No topics yet.')),
      faqs.length ? h('section', { 'aria-labelledby': 'faq-heading' },
        h('h2', { id: 'faq-heading' }, 'Frequently asked questions'),
        faqs.map((f, i) => h('details', {
          class: 'faq', id: String(f.id).split('#').pop(), open: i === 0,
        }, h('summary', null, f.question), richHtml(f.html)))) : null,
      related.length ? h('section', { 'aria-labelledby': 'related-heading' },
        h('h2', { id: 'related-heading' }, 'Related'),
        h('ul', { class: 'cards' }, related.map((r) => h('li', null,
          h('a', { href: pagePath(r.path) }, r.title),
          h('p', null, r.briefDescription || ''))))) : null);
  }

  // ---------------------------------------------------------------- topic view

  async function topicView(route, signal) {
    const detail = await api(`/v1/${route.collection}/${route.id}/topics/${route.topic}`, signal);
    document.title = `${detail.title} · roadmap-api`;
    const trail = [{ title: 'Search', path: '/' }]
      .concat(detail.breadcrumbs.map((b) => ({ title: b.title, path: pagePath(b.path) })))
      .concat([{ title: detail.title }]);
    const topicLink = (ref, rel) => ref
      ? h('a', { href: pagePath(ref.path), rel }, rel === 'prev' ? `← ${ref.title}` : `${ref.title} →`)
      : h('span');
    return h('article', { class: 'topic', 'data-id': detail.id },
      crumbs(trail),
      h('h1', null, detail.title),
      richHtml(detail.html),
      h('section', { 'aria-labelledby': 'resources-heading' },
        h('h2', { id: 'resources-heading' }, 'Resources'),
        detail.resources.length
          ? h('ul', { class: 'resources', id: 'resources' }, detail.resources.map((r) => h('li', null,
            h('span', { class: 'badge' }, r.type), link(r.url, r.title))))
          : h('p', null, 'No resources listed.')),
      detail.children.length ? h('section', { 'aria-labelledby': 'children-heading' },
        h('h2', { id: 'children-heading' }, 'In this topic'),
        h('ul', null, detail.children.map((c) => h('li', null, h('a', { href: pagePath(c.path) }, c.title))))) : null,
      detail.alsoIn.length ? h('section', { 'aria-labelledby': 'also-heading' },
        h('h2', { id: 'also-heading' }, 'Also in'),
        h('ul', { id: 'also-in' }, detail.alsoIn.map((a) => h('li', null,
          h('a', { href: pagePath(a.path) }, a.roadmapTitle))))) : null,
      h('nav', { class: 'pager', 'aria-label': 'Previous and next topic' },
        topicLink(detail.previous, 'prev'), topicLink(detail.next, 'next')));
  }

  // ---------------------------------------------------------------- guides, videos, questions

  async function documentView(route, signal) {
    const detail = await api(`/v1/${route.collection}/${route.id}`, signal);
    document.title = `${detail.title} · roadmap-api`;
    const meta = [detail.author, detail.date, detail.duration].filter(Boolean).join(' · ');
    return h('article', { class: 'document', 'data-id': detail.id },
      crumbs([{ title: 'Search', path: '/' }, { title: detail.title }]),
      h('h1', null, detail.title),
      meta ? h('p', { class: 'summary-line' }, meta) : null,
      detail.description ? h('p', { class: 'lead' }, detail.description) : null,
      detail.html ? richHtml(detail.html) : null,
      Array.isArray(detail.questions) ? detail.questions.map((q) => h('details', {
        class: 'faq', id: String(q.id).split('#').pop(),
      }, h('summary', null, q.question), q.html ? richHtml(q.html) : h('p', null, q.answer || ''))) : null);
  }

  // ---------------------------------------------------------------- the combobox

  let suggestTimer = 0;
  let suggestController = null;
  let suggestSeq = 0;
  let active = -1;

  function options() {
    return [...listbox.querySelectorAll('[role=option]')];
  }

  function openList(open) {
    listbox.hidden = !open;
    input.setAttribute('aria-expanded', open ? 'true' : 'false');
    if (!open) setActive(-1);
  }

  function setActive(index) {
    const all = options();
    active = all.length ? Math.max(-1, Math.min(index, all.length - 1)) : -1;
    all.forEach((option, i) => option.setAttribute('aria-selected', i === active ? 'true' : 'false'));
    if (active >= 0) {
      input.setAttribute('aria-activedescendant', all[active].id);
      all[active].scrollIntoView({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  }

  async function suggest(q) {
    if (suggestController) suggestController.abort();
    const seq = ++suggestSeq;
    if (!q.trim()) {
      listbox.replaceChildren();
      openList(false);
      return;
    }
    suggestController = new AbortController();
    try {
      const result = await api(`/v1/suggest?${new URLSearchParams({ q, limit: '8' })}`, suggestController.signal);
      if (seq !== suggestSeq) return; // an answer to an older keystroke
      listbox.replaceChildren(...result.items.map((item, i) => h('li', {
        role: 'option', id: `suggestion-${i}`, 'aria-selected': 'false', 'data-href': pagePath(item.path),
        onmousedown: (e) => e.preventDefault(), // keep focus in the box
        onclick: () => choose(i),
      }, h('span', null, item.title),
      h('span', { class: 'crumbs' }, ` ${kindLabel(item.kind)}`,
        item.breadcrumbs && item.breadcrumbs.length > 1 ? ` · ${item.breadcrumbs.slice(0, -1).join(' › ')}` : ''))));
      active = -1;
      openList(result.items.length > 0 && document.activeElement === input);
    } catch (error) {
      if (error.name !== 'AbortError') openList(false);
    }
  }

  function choose(index) {
    const option = options()[index];
    if (!option) return;
    openList(false);
    navigate(option.dataset.href, { focus: true });
  }

  /** The results view for what is in the box; the URL follows (replaced while typing on
   * the results view, pushed when leaving another view, so Back returns to it). */
  function searchFor(q, { push } = {}) {
    const params = parse(location).name === 'search' ? new URLSearchParams(location.search) : new URLSearchParams();
    if (q) params.set('q', q);
    else params.delete('q');
    const query = params.toString();
    const url = query ? `/?${query}` : '/';
    const onResults = parse(location).name === 'search';
    navigate(url, { replace: onResults && !push, focus: false });
  }

  input.addEventListener('input', () => {
    clearTimeout(suggestTimer);
    suggestTimer = setTimeout(() => {
      const q = input.value;
      suggest(q);
      searchFor(q);
    }, DEBOUNCE_MS);
  });

  input.addEventListener('keydown', (event) => {
    const count = options().length;
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      if (listbox.hidden && count) openList(true);
      setActive(active + 1 >= count ? 0 : active + 1);
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      if (listbox.hidden && count) openList(true);
      setActive(active <= 0 ? count - 1 : active - 1);
    } else if (event.key === 'Escape') {
      if (!listbox.hidden) {
        event.preventDefault();
        openList(false);
      }
    } else if (event.key === 'Enter' && !listbox.hidden && active >= 0) {
      event.preventDefault();
      choose(active);
    }
  });

  input.addEventListener('blur', () => openList(false));
  input.addEventListener('focus', () => {
    if (options().length && input.value.trim()) openList(true);
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(suggestTimer);
    openList(false);
    searchFor(input.value, { push: true });
  });

  // Links to the page's own views are followed without reloading the page.
  document.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const a = event.target.closest && event.target.closest('a[href]');
    if (!a || a.target || a.origin !== location.origin) return;
    if (parse(a).name === 'missing' && a.pathname !== '/') return;
    if (a.pathname === location.pathname && a.search === location.search && a.hash) return;
    event.preventDefault();
    navigate(a.pathname + a.search + a.hash, { focus: true });
  });

  window.addEventListener('popstate', () => render({ focus: false }));

  // ---------------------------------------------------------------- start

  input.value = new URLSearchParams(location.search).get('q') || '';
  api('/readyz').then((ready) => setVersion(ready.version), () => {});
  follow();
  render();
})();
