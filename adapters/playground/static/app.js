/* Sharebot playground: a small chat client for the demo organisation. No framework, no build. */
"use strict";

(() => {
  const EN = {
    send: "Send", settings: "Settings", queue: "Queue", queue_empty: "Nothing queued",
    only_you: "Only visible to you", placeholder: "/share help", people: "People",
    download: "Download", preview: "Preview", reconnecting: "Reconnecting…", arrives: "arrives",
    bot_name: "Sharebot", you: "You", command: "Command", playground: "playground",
    network_error: "The playground server cannot be reached.",
  };
  const BUTTON_STYLES = new Set(["primary", "danger", "default"]);
  const MARKS = /(`[^`\n]+`)|(\*(?=\S)[^*\n]*?\S\*)|(https?:\/\/[^\s<>]*[^\s<>.,;:!?)\]'"])/g;

  const app = {
    me: decodeHash(), people: [], peopleJson: "", labels: { ...EN },
    rendered: new Map(), settingsJson: "", forceScroll: true,
    history: [], historyPos: 0, draft: "",
    loading: null, again: false, streamDown: false, nextId: 0,
  };

  const $ = (id) => document.getElementById(id);
  const t = (key) => app.labels[key] || EN[key] || key;
  const uid = (name) => `f${++app.nextId}-${String(name).replace(/[^\w-]/g, "")}`;

  /* ---------- DOM and network helpers ---------- */

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    const { value, checked, ...rest } = attrs;
    for (const [key, val] of Object.entries(rest)) {
      if (val == null || val === false) continue;
      if (key === "class") node.className = val;
      else if (key === "dataset") Object.assign(node.dataset, val);
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), val);
      else node.setAttribute(key, val === true ? "" : String(val));
    }
    for (const child of children.flat(Infinity)) {
      if (child != null && child !== false) node.append(child);
    }
    if (value != null) node.value = value;
    if (checked) node.checked = true;
    return node;
  }

  async function api(path, body) {
    const options = body === undefined ? {} : {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    };
    let response;
    try {
      response = await fetch(`/playground/api/${path}`, options);
    } catch {
      throw new Error(t("network_error"));
    }
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new Error((data && data.error) || `${response.status} ${response.statusText}`);
    return data;
  }

  function showError(text, target = $("error")) {
    if (target.textContent === (text || "") && target.hidden === !text) return;
    const list = $("messages");
    const atEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    target.textContent = text || "";
    target.hidden = !text;
    if (atEnd) list.scrollTop = list.scrollHeight;
  }

  function decodeHash() {
    try { return decodeURIComponent(location.hash.slice(1)); } catch { return ""; }
  }

  function safeHref(url) {
    try {
      const parsed = new URL(String(url), location.href);
      return ["http:", "https:", "mailto:"].includes(parsed.protocol) ? parsed.href : null;
    } catch { return null; }
  }

  function shortUrl(url) {
    const text = String(url).replace(/^https?:\/\/(www\.)?/, "").replace(/\/$/, "");
    return text.length > 42 ? `${text.slice(0, 41)}…` : text;
  }

  function formatTime(iso) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return "";
    const lang = document.documentElement.lang || undefined;
    const time = date.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
    if (date.toDateString() === new Date().toDateString()) return time;
    return `${date.toLocaleDateString(lang, { weekday: "short", day: "numeric", month: "short" })}, ${time}`;
  }

  /** Plain text with `code`, *bold* and bare links, built as DOM nodes (never parsed as HTML). */
  function inline(text) {
    const source = String(text ?? "");
    const frag = document.createDocumentFragment();
    let last = 0;
    for (const match of source.matchAll(MARKS)) {
      frag.append(source.slice(last, match.index));
      if (match[1]) frag.append(el("code", {}, match[1].slice(1, -1)));
      else if (match[2]) frag.append(el("strong", {}, match[2].slice(1, -1)));
      else frag.append(el("a", { href: safeHref(match[3]), target: "_blank", rel: "noopener" }, match[3]));
      last = match.index + match[0].length;
    }
    frag.append(source.slice(last));
    return frag;
  }

  function renderLines(lines) {
    const out = [];
    let list = null;
    for (const line of lines || []) {
      if (line.startsWith("• ")) {
        if (!list) out.push(list = el("ul", { class: "lines-list" }));
        list.append(el("li", {}, inline(line.slice(2))));
      } else {
        list = null;
        out.push(el("p", { class: "line" }, inline(line)));
      }
    }
    return out;
  }

  function avatar(name, key) {
    const initials = String(name || "?").split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0]).join("");
    let hash = 0;
    for (const ch of String(key)) hash = (hash * 31 + ch.charCodeAt(0)) % 360;
    return el("span", { class: "avatar", style: `--hue:${hash}`, "aria-hidden": "true" }, initials.toUpperCase());
  }

  /* ---------- View renderers: one per view type ---------- */

  const RENDERERS = {
    Text: renderText, Notice: renderNotice, SuggestionCard: renderSuggestionCard,
    Digest: renderDigest, Form: renderForm, DataExport: renderDataExport,
  };

  function renderView(view, ctx) {
    const render = RENDERERS[view && view.type];
    return render ? render(view, ctx) : renderText({ text: (view && view.text) || "" });
  }

  function renderText(view) {
    return el("p", { class: "view view-text" }, String(view.text ?? ""));
  }

  function renderNotice(view, ctx) {
    return el("div", { class: "view notice" },
      view.title ? el("h3", { class: "view-title" }, inline(view.title)) : null,
      renderLines(view.lines),
      renderButtons(view.buttons, ctx));
  }

  function renderButtons(buttons, ctx) {
    if (!buttons || !buttons.length) return null;
    return el("div", { class: "button-row" }, buttons.map((b) => renderButton(b, ctx)));
  }

  function renderButton(button, ctx) {
    const style = BUTTON_STYLES.has(button.style) ? button.style : "default";
    const href = button.url ? safeHref(button.url) : null;
    if (href) {
      return el("a", { class: `btn btn-${style}`, href, target: "_blank", rel: "noopener" }, button.label);
    }
    return el("button", {
      type: "button", class: `btn btn-${style}`,
      dataset: { action: button.action || "", value: button.value || "" },
      onclick: (event) => press(event.currentTarget, button, ctx),
    }, button.label);
  }

  function renderSuggestionCard(card, ctx) {
    const href = safeHref(card.url);
    const live = !card.ended;
    return el("article", {
      class: `view suggestion-card${card.ended ? " is-ended" : ""}`,
      dataset: { suggestionId: String(card.suggestion_id) },
    },
    el("div", { class: "card-top" },
      card.intro ? el("p", { class: "card-intro" }, inline(card.intro)) : null,
      card.ended && card.ended_text ? el("span", { class: "badge" }, card.ended_text) : null),
    renderImages(card.images),
    el("p", { class: "card-caption" }, card.caption || ""),
    card.url ? el("a", { class: "card-link", href, target: "_blank", rel: "noopener", title: card.url }, shortUrl(card.url)) : null,
    card.hashtags && card.hashtags.length
      ? el("ul", { class: "hashtags" }, card.hashtags.map((tag) => el("li", {}, tag.startsWith("#") ? tag : `#${tag}`)))
      : null,
    live && card.share_buttons && card.share_buttons.length
      ? el("div", { class: "share-row" }, card.share_buttons.map((s) => el("a", {
        class: "btn share-button", href: safeHref(s.url), target: "_blank", rel: "noopener",
        dataset: { network: s.network },
      }, s.label)))
      : null,
    live ? renderButtons(card.buttons, ctx) : null,
    card.footer ? el("p", { class: "card-footer" }, inline(card.footer)) : null);
  }

  /** The card's photos as Sharebot serves them (its own copy, never the original host). */
  function renderImages(images) {
    const shown = (images || []).map((image) => ({ ...image, src: safeHref(image.url) })).filter((image) => image.src);
    if (!shown.length) return null;
    return el("div", { class: `card-images${shown.length > 1 ? " is-several" : ""}` },
      shown.map((image) => el("img", { class: "card-image", src: image.src, alt: image.alt || "", loading: "lazy" })));
  }

  function renderDigest(view, ctx) {
    return el("section", { class: "view digest" },
      view.title ? el("h3", { class: "view-title" }, inline(view.title)) : null,
      view.intro ? el("p", { class: "line" }, inline(view.intro)) : null,
      el("div", { class: "digest-cards" }, (view.cards || []).map((c) => renderSuggestionCard(c, ctx))));
  }

  function renderForm(form, ctx) {
    const status = el("p", { class: "form-status", role: "alert", hidden: true });
    const submit = el("button", { type: "submit", class: "btn btn-primary" }, form.submit_label);
    const previewButton = form.form_id === "compose"
      ? el("button", { type: "button", class: "btn preview-button" }, t("preview"))
      : null;
    const formEl = el("form", { class: "form", novalidate: true, dataset: { formId: form.form_id } },
      form.title ? el("h3", { class: "view-title" }, inline(form.title)) : null,
      form.intro ? el("p", { class: "form-intro" }, inline(form.intro)) : null,
      (form.fields || []).map(renderField),
      el("div", { class: "form-actions" }, submit, previewButton),
      status);
    const wrapper = el("div", { class: `view form-view${ctx.settings ? " is-panel" : ""}` }, formEl,
      form.preview ? el("div", { class: "preview" },
        el("p", { class: "preview-caption" }, t("preview")),
        renderSuggestionCard(form.preview, ctx)) : null);
    formEl.addEventListener("submit", (event) => {
      event.preventDefault();
      submitForm({ wrapper, formEl, form, ctx, submit, status });
    });
    if (previewButton) {
      previewButton.addEventListener("click", () => previewForm({ wrapper, formEl, form, ctx, button: previewButton, status }));
    }
    return wrapper;
  }

  /** The compose form as typed, with the card it would make (as Slack's preview button does). */
  async function previewForm({ wrapper, formEl, form, ctx, button, status }) {
    button.disabled = true;
    showError("", status);
    try {
      const result = await api("preview", { person: app.me, values: collectValues(formEl, form) });
      const fresh = renderForm(result.form, ctx);
      wrapper.replaceWith(fresh);
      const card = fresh.querySelector(".preview");
      if (card) card.scrollIntoView({ block: "nearest" });
    } catch (err) {
      showError(err.message, status);
      button.disabled = false;
    }
  }

  function renderField(field) {
    const id = uid(field.name);
    const hintId = field.hint ? `${id}-hint` : null;
    const errorId = field.error ? `${id}-error` : null;
    const a11y = {
      "aria-describedby": [hintId, errorId].filter(Boolean).join(" ") || null,
      "aria-invalid": field.error ? "true" : null,
      "aria-required": field.required ? "true" : null,
    };
    const marker = field.required ? el("span", { class: "required", "aria-hidden": "true" }, " *") : null;
    const extras = [
      hintId ? el("p", { class: "field-hint", id: hintId }, inline(field.hint)) : null,
      errorId ? el("p", { class: "field-error", id: errorId, role: "alert" }, field.error) : null,
    ];
    const value = field.value == null ? "" : String(field.value);
    if (field.kind === "multichoice") {
      const chosen = new Set(value.split(",").map((v) => v.trim()).filter(Boolean));
      return el("fieldset", { class: `field field-multichoice${field.error ? " has-error" : ""}`, ...a11y },
        el("legend", { class: "field-label" }, field.label, marker),
        el("div", { class: "checks" }, (field.options || []).map((o) => el("label", { class: "check" },
          el("input", { type: "checkbox", name: field.name, value: o.value, checked: chosen.has(o.value) }),
          el("span", {}, o.label)))),
        extras);
    }
    return el("div", { class: `field${field.error ? " has-error" : ""}` },
      el("label", { class: "field-label", for: id }, field.label, marker),
      renderControl(field, id, value, a11y),
      extras);
  }

  function renderControl(field, id, value, a11y) {
    const base = { id, name: field.name, ...a11y };
    switch (field.kind) {
      case "textarea":
        return el("textarea", { ...base, rows: 4, value });
      case "choice": {
        const options = (field.options || []).map((o) => el("option", { value: o.value }, o.label));
        if (value && !options.some((o) => o.value === value)) options.push(el("option", { value }, value));
        return el("select", { ...base, value }, options);
      }
      case "date":
        return el("input", { ...base, type: "date", value: value.slice(0, 10) });
      case "datetime":
        return el("input", { ...base, type: "datetime-local", value: value.replace(" ", "T").slice(0, 16) });
      case "number":
        return el("input", { ...base, type: "number", inputmode: "numeric", value });
      default:
        return el("input", { ...base, type: "text", value });
    }
  }

  function renderDataExport(view) {
    const blobUrl = URL.createObjectURL(new Blob([view.content || ""], { type: "application/json" }));
    return el("section", { class: "view data-export" },
      view.title ? el("h3", { class: "view-title" }, inline(view.title)) : null,
      renderLines(view.lines),
      el("div", { class: "button-row" },
        el("a", { class: "btn btn-primary download-export", href: blobUrl, download: view.filename || "export.json" }, t("download"))),
      el("details", { class: "export-details" },
        el("summary", {}, view.filename || "JSON"),
        el("pre", { class: "export-content" }, view.content || "")));
  }

  /* ---------- Actions ---------- */

  async function press(button, spec, ctx) {
    button.disabled = true;
    const started = Date.now();
    try {
      await api("press", { person: app.me, action: spec.action, value: spec.value, message_id: ctx.messageId ?? null });
      showError("");
      app.forceScroll = true;
      await refresh();
    } catch (err) {
      showError(err.message);
    } finally {
      setTimeout(() => { button.disabled = false; }, Math.max(0, 900 - (Date.now() - started)));
    }
  }

  function collectValues(formEl, form) {
    const values = { ...(form.hidden || {}) };
    for (const field of form.fields || []) {
      if (field.kind === "multichoice") {
        const boxes = formEl.querySelectorAll(`input[type="checkbox"][name="${CSS.escape(field.name)}"]`);
        values[field.name] = [...boxes].filter((b) => b.checked).map((b) => b.value).join(",");
      } else {
        const control = formEl.elements.namedItem(field.name);
        values[field.name] = control && "value" in control ? control.value : "";
      }
    }
    return values;
  }

  async function submitForm({ wrapper, formEl, form, ctx, submit, status }) {
    submit.disabled = true;
    showError("", status);
    try {
      const result = await api("submit", { person: app.me, form_id: form.form_id, values: collectValues(formEl, form) });
      if (result && result.ok === false && result.form) {
        const fresh = renderForm(result.form, ctx);
        wrapper.replaceWith(fresh);
        const invalid = fresh.querySelector("[aria-invalid='true']");
        if (invalid) (invalid.matches("fieldset") ? invalid.querySelector("input") : invalid).focus();
        return;
      }
      wrapper.querySelectorAll(".field-error").forEach((node) => node.remove());
      wrapper.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
      wrapper.querySelectorAll(".has-error").forEach((node) => node.classList.remove("has-error"));
      if (ctx.settings) app.settingsJson = "";
      app.forceScroll = true;
      await refresh();
    } catch (err) {
      showError(err.message, status);
    } finally {
      submit.disabled = false;
    }
  }

  async function sendCommand(event) {
    event.preventDefault();
    const input = $("command");
    const text = input.value;
    if (!text.trim()) return;
    if (app.history[app.history.length - 1] !== text) app.history.push(text);
    if (app.history.length > 50) app.history.shift();
    app.historyPos = app.history.length;
    app.draft = "";
    input.value = "";
    try {
      await api("say", { person: app.me, text });
      showError("");
      app.forceScroll = true;
      await refresh();
    } catch (err) {
      showError(err.message);
      if (!input.value) input.value = text;
    }
  }

  function browseHistory(event) {
    if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
    if (!app.history.length || event.altKey || event.ctrlKey || event.metaKey) return;
    const input = event.currentTarget;
    if (app.historyPos === app.history.length) app.draft = input.value;
    const step = event.key === "ArrowUp" ? -1 : 1;
    app.historyPos = Math.min(app.history.length, Math.max(0, app.historyPos + step));
    input.value = app.historyPos === app.history.length ? app.draft : app.history[app.historyPos];
    event.preventDefault();
    input.setSelectionRange(input.value.length, input.value.length);
  }

  /* ---------- State and page rendering ---------- */

  function refresh() {
    if (app.loading) { app.again = true; return app.loading; }
    app.loading = (async () => {
      do { app.again = false; await loadState(); } while (app.again);
    })().finally(() => { app.loading = null; });
    return app.loading;
  }

  async function loadState() {
    const person = app.me;
    try {
      const state = await api(person ? `state?person=${encodeURIComponent(person)}` : "state");
      if (person !== app.me) { app.again = true; return; }
      applyState(state);
      showError("");
    } catch (err) {
      if (person && !app.people.length) { app.me = ""; app.again = true; return; }
      showError(err.message);
      return;
    }
    await loadSettings();
  }

  async function loadSettings() {
    const person = app.me;
    try {
      const form = await api(`settings?person=${encodeURIComponent(person)}`);
      if (person !== app.me) return;
      showError("", $("settings-error"));
      const json = JSON.stringify(form);
      if (json === app.settingsJson) return;
      app.settingsJson = json;
      $("settings-body").replaceChildren(renderView({ type: "Form", ...form }, { messageId: null, settings: true }));
    } catch (err) {
      showError(err.message, $("settings-error"));
    }
  }

  function applyState(state) {
    app.labels = { ...EN, ...(state.labels || {}) };
    if (state.me && state.me !== app.me) resetConversation(state.me);
    app.people = state.people || [];
    if (decodeHash() !== app.me) history.replaceState(null, "", `#${encodeURIComponent(app.me)}`);
    renderChrome();
    renderPeople();
    const policy = $("policy-note");
    policy.replaceChildren(inline(state.policy_note || ""));
    policy.hidden = !state.policy_note;
    const photo = $("photo-note");
    if (photo.dataset.text !== (state.photo_note || "")) {
      photo.dataset.text = state.photo_note || "";
      photo.replaceChildren(inline(state.photo_note || ""));
    }
    photo.hidden = !state.photo_note;
    renderMessages(state.messages || []);
    renderQueue(state.queue || [], state.counters_note || "");
  }

  function renderChrome() {
    if (app.labels.lang) document.documentElement.lang = app.labels.lang;
    document.querySelectorAll("[data-label]").forEach((node) => { node.textContent = t(node.dataset.label); });
    $("command").placeholder = t("placeholder");
    $("try-command").textContent = t("placeholder");
    const me = app.people.find((p) => p.key === app.me);
    $("chat-sub").textContent = me ? [me.name, me.role].filter(Boolean).join(" · ") : "";
  }

  function renderPeople() {
    const json = JSON.stringify(app.people);
    if (json !== app.peopleJson) {
      app.peopleJson = json;
      $("people").replaceChildren(...app.people.map((p) => el("li", { class: "person", dataset: { person: p.key } },
        el("button", { type: "button", class: "person-button", onclick: () => selectPerson(p.key) },
          avatar(p.name, p.key),
          el("span", { class: "person-text" },
            el("span", { class: "person-name" }, p.name),
            el("span", { class: "person-meta" },
              p.role ? el("span", { class: "role" }, p.role) : null,
              p.hint ? el("span", { class: "hint" }, p.hint) : null))))));
    }
    document.querySelectorAll("#people [data-person]").forEach((item) => {
      const current = item.dataset.person === app.me;
      item.classList.toggle("is-current", current);
      const button = item.querySelector("button");
      if (current && !button.hasAttribute("aria-current")) {
        button.setAttribute("aria-current", "true");
        item.scrollIntoView({ block: "nearest", inline: "nearest" });
      }
      if (!current) button.removeAttribute("aria-current");
    });
  }

  function renderMessages(messages) {
    const list = $("messages");
    const nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 120;
    const seen = new Set();
    let previous = null;
    let added = false;
    for (const message of messages) {
      const json = JSON.stringify(message);
      let entry = app.rendered.get(message.id);
      if (!entry || entry.json !== json) {
        const node = renderMessage(message);
        if (entry) entry.node.replaceWith(node); else added = true;
        entry = { json, node };
        app.rendered.set(message.id, entry);
      }
      seen.add(message.id);
      const expected = previous ? previous.nextSibling : list.firstChild;
      if (entry.node !== expected) list.insertBefore(entry.node, expected);
      previous = entry.node;
    }
    for (const [id, entry] of app.rendered) {
      if (!seen.has(id)) { entry.node.remove(); app.rendered.delete(id); }
    }
    if (app.forceScroll || (added && nearBottom)) {
      requestAnimationFrame(() => { list.scrollTop = list.scrollHeight; });
    }
    app.forceScroll = false;
  }

  function renderMessage(message) {
    const mine = message.kind === "me";
    const ephemeral = message.kind === "ephemeral";
    const time = formatTime(message.at);
    return el("div", { class: `message message-${mine ? "me" : "bot"}${ephemeral ? " is-ephemeral" : ""}`, dataset: { kind: message.kind, id: String(message.id) } },
      mine ? null : el("span", { class: "avatar avatar-bot", "aria-hidden": "true" }, "S"),
      el("div", { class: "message-main" },
        el("div", { class: "message-meta" },
          el("span", { class: "sender" }, mine ? t("you") : t("bot_name")),
          time ? el("time", { datetime: message.at, title: new Date(message.at).toLocaleString() }, time) : null,
          ephemeral ? el("span", { class: "only-you" }, t("only_you")) : null),
        el("div", { class: "message-body" }, renderView(message.view, { messageId: message.id }))));
  }

  function renderQueue(queue, note) {
    const items = queue.map((q) => el("li", { class: "queue-item", dataset: { suggestionId: q.suggestion_id ?? "" } },
      q.suggestion_id != null ? [el("span", { class: "queue-id" }, `#${q.suggestion_id}`), " · "] : null,
      el("span", { class: "queue-due" }, `${t("arrives")} ${q.due_text || ""}`.trim()),
      q.reason_text ? [" · ", el("span", { class: "queue-reason" }, q.reason_text)] : null));
    $("queue").replaceChildren(...(items.length ? items : [el("li", { class: "queue-empty" }, t("queue_empty"))]));
    const counters = $("counters-note");
    counters.replaceChildren(inline(note));
    counters.hidden = !note;
  }

  function resetConversation(person) {
    app.me = person;
    app.rendered.clear();
    $("messages").replaceChildren();
    app.settingsJson = "";
    $("settings-body").replaceChildren();
    app.forceScroll = true;
  }

  function selectPerson(key) {
    if (key === app.me) return;
    // At once, not on the hashchange event: a state answer landing in between would put the
    // old person's hash back and the click would be lost.
    history.pushState(null, "", `#${encodeURIComponent(key)}`);
    onHashChange();
  }

  function onHashChange() {
    const key = decodeHash();
    if (!key || key === app.me) return;
    if (app.people.length && !app.people.some((p) => p.key === key)) {
      history.replaceState(null, "", `#${encodeURIComponent(app.me)}`);
      return;
    }
    resetConversation(key);
    renderPeople();
    refresh();
  }

  function togglePanel() {
    const button = $("panel-toggle");
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    $("app").classList.toggle("panel-closed", !open);
  }

  /* ---------- Live updates ---------- */

  function connectEvents() {
    const source = new EventSource("/playground/api/events");
    source.onopen = () => {
      $("connection").hidden = true;
      if (app.streamDown) { app.streamDown = false; refresh(); }
    };
    source.onmessage = (event) => {
      let data = null;
      try { data = JSON.parse(event.data); } catch { return; }
      if (data && (data.person === "*" || data.person === app.me)) refresh();
    };
    source.onerror = () => {
      app.streamDown = true;
      $("connection").hidden = false;
      if (source.readyState === EventSource.CLOSED) {
        source.close();
        setTimeout(connectEvents, 3000);
      }
    };
  }

  function start() {
    $("composer").addEventListener("submit", sendCommand);
    $("command").addEventListener("keydown", browseHistory);
    $("panel-toggle").addEventListener("click", togglePanel);
    $("photo-note").addEventListener("click", (event) => {
      const code = event.target.closest("code");
      if (!code) return;
      $("command").value = code.textContent;
      $("command").focus();
    });
    $("try-command").addEventListener("click", () => {
      $("command").value = t("placeholder");
      $("command").focus();
    });
    window.addEventListener("hashchange", onHashChange);
    refresh();
    connectEvents();
  }

  start();
})();
