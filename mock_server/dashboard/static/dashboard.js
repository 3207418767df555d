// The dashboard's behaviour: it polls the page's live parts while the clock runs, and sends
// every change through the control plane (/_mock) or the public API (/v3), as any client does.
// Plain JavaScript, no build step, nothing fetched from another origin.
"use strict";

(() => {
  const POLL_MS = 1000;
  const body = document.body;
  const statusLine = document.getElementById("status");
  const tokens = new Map(); // project id -> {token, expiresAt}: IAM tokens for the public API

  function say(message, isError) {
    statusLine.textContent = message;
    statusLine.classList.toggle("error", Boolean(isError));
  }

  class ApiFailure extends Error {}

  async function send(method, path, { body: payload, headers = {}, raw = false } = {}) {
    const init = {
      method,
      credentials: "same-origin",
      headers: { "X-Mock-Dashboard": "1", ...headers },
    };
    // Every POST says JSON, a bodiless one too: the control plane refuses any other, since a
    // page of another site can send a POST of a form's or a text's type, never of this one.
    if (payload !== undefined || method === "POST") {
      init.headers["Content-Type"] = "application/json";
    }
    if (payload !== undefined) init.body = raw ? payload : JSON.stringify(payload);
    const response = await fetch(path, init);
    const text = await response.text();
    let answer = null;
    try {
      answer = text ? JSON.parse(text) : null;
    } catch (_) {
      answer = text;
    }
    if (!response.ok) {
      const error = (answer && (answer.error || answer)) || {};
      const code = error.error_code || error.code || response.status;
      const message = error.error_msg || error.message || response.statusText;
      const failure = new ApiFailure(`${method} ${path}: ${code} ${message}`);
      failure.status = response.status;
      throw failure;
    }
    return answer;
  }

  const control = (method, path, payload, raw) =>
    send(method, `/_mock${path}`, { body: payload, raw });

  async function projectToken(projectId, fresh) {
    const kept = tokens.get(projectId);
    if (!fresh && kept) return kept;
    const issued = await control("POST", "/tokens", { project: projectId });
    tokens.set(projectId, issued.token);
    return issued.token;
  }

  // The public API, as the project's administrator: a token from the control plane, then
  // the same request an SDK would send. A token that expired on the clock is asked again.
  async function publicApi(projectId, method, path, payload) {
    for (const fresh of [false, true]) {
      const token = await projectToken(projectId, fresh);
      try {
        return await send(method, path, { body: payload, headers: { "X-Auth-Token": token } });
      } catch (failure) {
        if (fresh || failure.status !== 401) throw failure;
      }
    }
    return null;
  }

  // --- live parts ----------------------------------------------------------------------------

  const shown = new Map(); // part name -> the HTML it shows

  function replacePart(element, html) {
    const focused = document.activeElement;
    const focusId = focused && element.contains(focused) ? focused.id : "";
    element.innerHTML = html;
    if (focusId) {
      const again = document.getElementById(focusId);
      if (again) again.focus();
    }
  }

  async function refresh() {
    const url = body.dataset.parts;
    if (!url) return;
    const response = await fetch(url, {
      credentials: "same-origin",
      headers: { "X-Mock-Poll": "1", "X-Mock-Dashboard": "1" },
    });
    if (!response.ok) {
      if (response.status === 401) say("The admin token is no longer accepted: reload the page.", true);
      if (response.status === 404) say("This task no longer exists.", true);
      return;
    }
    const parts = await response.json();
    for (const [name, html] of Object.entries(parts)) {
      if (shown.get(name) === html) continue;
      shown.set(name, html);
      for (const element of document.querySelectorAll(`[data-part="${name}"]`)) {
        replacePart(element, html);
      }
    }
    body.dataset.refreshed = String(Number(body.dataset.refreshed || 0) + 1);
  }

  // Every second, or less often when a refresh takes long (thousands of tasks): the page
  // never keeps the emulator busier than a fifth of its time.
  let timer = null;
  async function poll() {
    clearTimeout(timer);
    const started = performance.now();
    try {
      if (!document.hidden) await refresh();
    } catch (error) {
      say(`The emulator did not answer: ${error.message}`, true);
    }
    timer = setTimeout(poll, Math.max(POLL_MS, (performance.now() - started) * 5));
  }

  // After a change, show it at once rather than at the next tick.
  async function done(message) {
    say(message, false);
    await poll();
  }

  // --- what each form and button does --------------------------------------------------------

  const number = (form, name) => Number(form.elements[name].value);
  const text = (form, name) => form.elements[name].value.trim();

  const forms = {
    async advance(form) {
      const seconds = number(form, "amount") * number(form, "unit");
      const clock = await control("POST", "/clock/advance", { seconds });
      // In the words of the form ("90 minutes"), never a count of seconds.
      const unit = form.elements.unit.selectedOptions[0].textContent;
      return `The clock moved ${text(form, "amount")} ${unit}, to ${clock.now}.`;
    },
    async speed(form) {
      const clock = await control("POST", "/clock/speed", { speed: number(form, "speed") });
      return `The clock now runs at ${clock.speed}× wall time.`;
    },
    async scenario(form) {
      const name = text(form, "name");
      const project = text(form, "project");
      const query = project ? `?project=${encodeURIComponent(project)}` : "";
      const loaded = await control("POST", `/scenarios/${encodeURIComponent(name)}${query}`);
      return `Loaded ${loaded.scenario}: tasks ${loaded.task_ids.join(", ") || "none"}.`;
    },
    async "task-fault"(form) {
      const fault = {
        task_id: text(form, "task_id"),
        subtask: text(form, "subtask"),
        at_progress: number(form, "at_progress"),
        effect: text(form, "effect"),
        times: number(form, "times"),
      };
      const code = text(form, "error_code");
      const message = text(form, "error_msg");
      if (code || message) fault.error_json = { error_code: code, error_msg: message };
      const project = encodeURIComponent(text(form, "project"));
      const added = await control("POST", `/faults?project=${project}`, fault);
      return `Added the task fault ${added.id}.`;
    },
    async "http-fault"(form) {
      const match = { path: text(form, "path") };
      if (text(form, "method")) match.method = text(form, "method");
      const fault = { match, times: number(form, "times"), delay_ms: number(form, "delay_ms") };
      if (form.elements.drop.checked) fault.drop = true;
      else if (text(form, "status")) fault.status = number(form, "status");
      const added = await control("POST", "/faults", fault);
      return `Added the HTTP fault ${added.id}.`;
    },
    async upload(form) {
      const file = form.elements.file.files[0];
      if (!file) throw new ApiFailure("Choose a snapshot file first.");
      const restored = await control("POST", "/snapshot", await file.text(), true);
      return `Restored the snapshot; the clock reads ${restored.now}.`;
    },
  };

  const buttons = {
    async "task-op"(button) {
      const operation = button.dataset.op;
      const payload = { operation };
      if (operation === "clone_test") {
        payload.template_id = document.getElementById("clone-template").value;
      }
      const path = `/v3/tasks/${encodeURIComponent(button.dataset.task)}/action`;
      await publicApi(button.dataset.project, "POST", path, payload);
      if (button.dataset.changesNothing) return `${operation}: accepted; it changes nothing here.`;
      return `${operation}: accepted.`;
    },
    async "delete-task"(button) {
      if (!window.confirm(`Delete the task ${button.dataset.task}?`)) return "";
      const path = `/v3/tasks/${encodeURIComponent(button.dataset.task)}`;
      await publicApi(button.dataset.project, "DELETE", path);
      window.location.assign("/_mock/ui");
      return "Deleted.";
    },
    async "delete-fault"(button) {
      await control("DELETE", `/faults/${encodeURIComponent(button.dataset.fault)}`);
      return `Deleted the fault ${button.dataset.fault}.`;
    },
    async "clear-faults"() {
      await control("DELETE", "/faults");
      return "Cleared every fault.";
    },
    async "clear-journal"() {
      await control("DELETE", "/requests");
      return "Cleared the journal.";
    },
    async reset() {
      if (!window.confirm("Reset everything to the fixtures?")) return "";
      const reset = await control("POST", "/reset");
      return `Reset; the clock reads ${reset.now}.`;
    },
  };

  async function run(handler, element) {
    element.setAttribute("aria-busy", "true");
    try {
      const message = await handler(element);
      if (message) await done(message);
    } catch (failure) {
      say(failure.message, true);
    } finally {
      element.removeAttribute("aria-busy");
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    const handler = forms[form.dataset.action];
    if (!handler) return; // the filter form works as a plain GET
    event.preventDefault();
    run(handler, form);
  });

  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    const handler = button && buttons[button.dataset.action];
    if (handler) run(handler, button);
  });

  // The overview's query (filters and page) shown without a reload: the address bar links to
  // what is shown, and the live part polls for the same.
  function showOverview(query) {
    const suffix = query.toString() ? `?${query}` : "";
    history.replaceState(null, "", `${window.location.pathname}${suffix}`);
    body.dataset.parts = `/_mock/ui/parts/overview${suffix}`;
    poll();
  }

  // The filters apply as they change, from the first page.
  const filter = document.querySelector('form[data-action="filter"]');
  if (filter) {
    filter.addEventListener("change", () => {
      const query = new URLSearchParams();
      for (const name of ["state", "project"]) {
        if (filter.elements[name].value) query.set(name, filter.elements[name].value);
      }
      showOverview(query);
    });
  }

  // A page of tasks at a time: the pager's links turn the page in place.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-page-link]");
    if (!link || !body.dataset.parts) return;
    event.preventDefault();
    showOverview(new URL(link.href).searchParams);
  });

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) poll();
  });
  body.dataset.live = "yes";
  timer = setTimeout(poll, POLL_MS);
})();
