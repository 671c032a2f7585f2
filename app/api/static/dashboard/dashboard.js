/* tradestats dashboard: a worked example of the public API from a browser.
 *
 * Every number on the page comes from a /v1/... answer that any client can ask for; the
 * links under each panel are those very requests. Nothing here computes a figure: the
 * API says what each number is (reported, derived, forecast, target), how sure its
 * source was, and what it rests on; the page shows that.
 */
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);

  const QUALIFIER_WORDS = {
    approximately: "about",
    less_than: "less than",
    more_than: "more than",
    at_most: "at most",
    at_least: "at least",
    range: "range",
  };
  const FLOW_COLOURS = { exports: "#1f5fa8", imports: "#a8541f", balance: "#3d3d3d" };
  const EARLIER_COLOUR = "#6b6b6b";
  const WORLD_COLOUR = "#2e7d32";
  const FLOW_NAMES = { export: "Exports", import: "Imports", turnover: "Turnover", balance: "Balance" };
  const MEASURE_NAMES = { trade_value: "value", quantity: "quantity", growth: "growth", multiplier: "multiple" };
  const PARTNERS_SHOWN = 10;
  const DEFAULT_PAIR = ["AZ", "KZ"];

  // ---- small DOM helpers: text only, never markup from answers ----

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "className") node.className = value;
      else if (name === "text") node.textContent = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  // ---- the API ----

  function apiUrl(path, params) {
    const url = new URL(path, location.origin);
    for (const [name, value] of Object.entries(params || {})) {
      if (value !== null && value !== undefined && value !== "") url.searchParams.set(name, value);
    }
    return url;
  }

  async function ask(path, params) {
    const url = apiUrl(path, params);
    // no-cache: always revalidate (a cheap 304), so a reload after a write shows it.
    const response = await fetch(url, { cache: "no-cache", headers: { Accept: "application/json" } });
    let body = null;
    try {
      body = await response.json();
    } catch (error) {
      body = null;
    }
    return { ok: response.ok, status: response.status, body, url };
  }

  function pairPath(state, what) {
    return `/v1/trade/${encodeURIComponent(state.a)}/${encodeURIComponent(state.b)}/${what}`;
  }

  function downloads(target, requests) {
    clear(target);
    target.append("Download: ");
    for (const [label, path, params] of requests) {
      const json = apiUrl(path, params);
      const csv = apiUrl(path, { ...params, format: "csv" });
      target.append(
        el("a", { href: json.pathname + json.search }, `${label} (JSON)`),
        el("a", { href: csv.pathname + csv.search, download: "" }, `${label} (CSV)`)
      );
    }
  }

  // ---- numbers as people read them ----

  function amount(value, unit) {
    if (value === null || value === undefined) return "none";
    const number = Number(value);
    if (unit === "USD") {
      if (Math.abs(number) >= 1e6) {
        const millions = (number / 1e6).toLocaleString("en", { maximumFractionDigits: 2 });
        return `USD ${millions} million`;
      }
      return `USD ${number.toLocaleString("en")}`;
    }
    if (unit === "t") return `${number.toLocaleString("en")} t`;
    if (unit === "percent") return `${number.toLocaleString("en", { maximumFractionDigits: 4 })} %`;
    if (unit === "ratio") return `×${number.toLocaleString("en", { maximumFractionDigits: 4 })}`;
    return `${number.toLocaleString("en")} ${unit || ""}`.trim();
  }

  function exact(value, unit) {
    if (value === null || value === undefined) return "";
    return `${Number(value).toLocaleString("en", { maximumFractionDigits: 6 })} ${unit}`;
  }

  function shownValue(figure) {
    if (figure.value === null && figure.value_low !== null && figure.value_high !== null) {
      const unit = figure.unit;
      if (unit === "percent") return `${figure.value_low}–${figure.value_high} %`;
      return `${amount(figure.value_low, unit)} to ${amount(figure.value_high, unit)}`;
    }
    return amount(figure.value, figure.unit);
  }

  function qualifierWord(figure) {
    if (figure.qualifier === "exact") return null;
    return figure.qualifier_wording || QUALIFIER_WORDS[figure.qualifier] || figure.qualifier;
  }

  // The span of a period (A, S, Q, M, 01/09, P{n}M), as the API's freq= names it.
  function spanOf(period) {
    const [startYear, startMonth] = period.start.split("-").map(Number);
    const [endYear, endMonth] = period.end.split("-").map(Number);
    const months = (endYear - startYear) * 12 + endMonth - startMonth + 1;
    if (months === 12 && startMonth === 1) return "A";
    if (months === 6 && (startMonth === 1 || startMonth === 7)) return "S";
    if (months === 3 && [1, 4, 7, 10].includes(startMonth)) return "Q";
    if (months === 1) return "M";
    const pad = (month) => String(month).padStart(2, "0");
    if (startYear === endYear) return `${pad(startMonth)}/${pad(endMonth)}`;
    return `P${months}M`;
  }

  const SPAN_NAMES = { A: "calendar years", S: "half-years", Q: "quarters", M: "months" };
  function spanName(span) {
    if (SPAN_NAMES[span]) return SPAN_NAMES[span];
    const months = span.match(/^(\d\d)\/(\d\d)$/);
    if (months) {
      const name = (m) => new Date(2000, Number(m) - 1, 1).toLocaleString("en", { month: "long" });
      return `${name(months[1])} to ${name(months[2])} of each year`;
    }
    return `periods of ${span.slice(1, -1)} months`;
  }

  // ---- one figure, with what it rests on ----

  function badges(figure) {
    const out = [el("span", { className: `badge ${figure.status}` }, figure.status)];
    const word = qualifierWord(figure);
    if (word) out.push(el("span", { className: "badge qualifier" }, word));
    return out;
  }

  function explanation(figure, id) {
    const box = el("div", { className: "explain", role: "tooltip", id });
    if (figure.statement) box.append(el("p", {}, el("strong", {}, "The source: "), figure.statement));
    const word = qualifierWord(figure);
    if (word) box.append(el("p", {}, el("strong", {}, "Hedge: "), `${word} (${figure.qualifier})`));
    if (figure.value !== null && figure.value_low !== null && figure.value_high !== null) {
      box.append(
        el("p", {}, el("strong", {}, "Stated precision allows: "),
          `${exact(figure.value_low, figure.unit)} to ${exact(figure.value_high, figure.unit)}`)
      );
    }
    if (figure.value !== null) {
      // The full number, with the source's hedge: never "exactly" where it hedged.
      const hedge = qualifierWord(figure);
      box.append(el("p", {}, el("strong", {}, "In full: "),
        `${hedge && figure.qualifier !== "range" ? hedge + " " : ""}${exact(figure.value, figure.unit)}`));
    }
    if (figure.derivation) {
      box.append(
        el("p", {}, el("strong", {}, "Derived: "), figure.derivation.method, ": ",
          el("code", {}, figure.derivation.formula))
      );
    }
    if (figure.alternative_value !== null && figure.alternative_value !== undefined) {
      box.append(
        el("p", {}, el("strong", {}, "Other reading: "),
          `${figure.alternative_reading} (${exact(figure.alternative_value, figure.unit)})`)
      );
    }
    if (figure.note) box.append(el("p", {}, el("strong", {}, "Note: "), figure.note));
    for (const source of figure.sources || []) {
      box.append(
        el("p", {}, el("strong", {}, "Source: "),
          el("a", { href: `/v1/sources/${source.id}` }, source.citation))
      );
    }
    if (figure.id !== null && figure.id !== undefined) {
      box.append(el("p", {}, el("a", { href: `/v1/observations/${figure.id}` }, `Figure ${figure.id} in the API`)));
    }
    return box;
  }

  let explainCount = 0;
  function figureNode(figure, text) {
    explainCount += 1;
    const id = `explain-${explainCount}`;
    const label = text || shownValue(figure);
    const word = qualifierWord(figure);
    const spoken = word && figure.qualifier !== "range" ? `${word} ${label}` : label;
    return el(
      "span",
      { className: "figure" },
      el("button", { type: "button", className: "number", "aria-describedby": id,
        "aria-label": `${spoken}, ${figure.status}` }, label),
      explanation(figure, id)
    );
  }

  function flowWords(figure) {
    if (figure.flow === "export") return ["exports to", "'s exports"];
    if (figure.flow === "import") return ["imports from", "'s imports"];
    return [`${figure.flow} with`, `'s ${figure.flow}`];
  }

  function reportersText(derivation) {
    const names = (derivation.reporters || []).map((code) => countryName(code));
    if (names.length > 1) {
      return ` It combines two reporters' statistics (${names.join(" and ")}), each of which reported one of its figures: mirror figures, valued and counted differently.`;
    }
    return names.length ? ` It rests on ${names[0]}'s statistics only.` : "";
  }

  function whose(figure) {
    if (figure.status === "derived" && figure.derivation) {
      return "Derived by tradestats from the stored figures it names; "
        + (figure.attribution === "speaker" ? "they are a quoted speaker's." : "they are the publisher's.")
        + reportersText(figure.derivation);
    }
    const [relation] = flowWords(figure);
    const stated = figure.reporter_stated
      ? `the source gives them as ${figure.reporter.name}'s statistics`
      : "the source does not say whose statistics they are";
    const voice = figure.attribution === "speaker" ? "a quoted speaker's figure" : "the publisher's own figure";
    return `Recorded as ${figure.reporter.name}'s ${relation} ${figure.partner.name}: ${stated}; ${voice}.`;
  }

  // ---- headline cards ----

  function card(title, figure, rows) {
    const box = el("article", { className: "card", "aria-label": title });
    box.append(el("h3", {}, title));
    if (!figure) {
      box.append(el("p", { className: "main" }, "No figure"));
      return box;
    }
    box.append(el("p", { className: "main" }, qualifierWord(figure) && figure.qualifier !== "range"
      ? `${qualifierWord(figure)} ` : "", figureNode(figure), ...badges(figure)));
    const list = el("dl");
    for (const [name, value] of rows) {
      list.append(el("dt", {}, name), el("dd", {}, value));
    }
    box.append(list, el("p", { className: "whose" }, whose(figure)));
    return box;
  }

  // Whose figure a rate is, where it is not the card's own reporter's: a partner's growth
  // is a mirror statistic, not the card's.
  function byWhom(rate, figure) {
    return figure && rate.reporter.alpha3 !== figure.reporter.alpha3 ? ` by ${rate.reporter.name}` : "";
  }

  function growthCell(growth, figure) {
    if (!growth) return "none";
    const parts = [];
    if (growth.reported) parts.push(el("span", {}, `reported${byWhom(growth.reported, figure)} `, figureNode(growth.reported)));
    if (growth.derived) parts.push(el("span", {}, parts.length ? " · derived " : "derived ", figureNode(growth.derived)));
    return parts.length ? el("span", {}, ...parts) : "none";
  }

  function earlierCell(yearEarlier) {
    if (!yearEarlier || !yearEarlier.value) return `none (${yearEarlier ? yearEarlier.period.label : "no period"})`;
    return el("span", {}, figureNode(yearEarlier.value), ` in ${yearEarlier.period.label}`, ...badges(yearEarlier.value));
  }

  function renderCards(state, answers) {
    const { turnover, exports, imports, balance, balanceEarlier } = answers;
    const [a, b] = turnover.pair;
    const cards = clear($("cards"));
    cards.append(
      card(`Turnover, ${a.name} and ${b.name}`, turnover.value, [
        ["Growth", growthCell(turnover.growth, turnover.value)],
        ["Year earlier", earlierCell(turnover.year_earlier)],
      ]),
      card(`${a.name}'s exports to ${b.name}`, exports.value, [
        ["Growth", growthCell(exports.growth, exports.value)],
        ["Year earlier", earlierCell(exports.year_earlier)],
      ]),
      card(`${a.name}'s imports from ${b.name}`, imports.value, [
        ["Growth", growthCell(imports.growth, imports.value)],
        ["Year earlier", earlierCell(imports.year_earlier)],
      ]),
      card(`Balance of ${a.name} with ${b.name}`, balance ? balance.value : null, [
        ["Growth", "not given for a balance"],
        ["Year earlier", balanceEarlier
          ? el("span", {}, figureNode(balanceEarlier.value), ` in ${balanceEarlier.period.label}`, ...badges(balanceEarlier.value))
          : "none"],
      ])
    );
    const period = { period: state.period };
    downloads($("headline-downloads"), [
      ["Turnover", pairPath(state, "turnover"), period],
      ["Exports", pairPath(state, "exports"), period],
      ["Imports", pairPath(state, "imports"), period],
      ["Balance", pairPath(state, "balance"), period],
    ]);
    $("headline").hidden = false;
  }

  // ---- charts ----

  const CHART_CONFIG = { displayModeBar: false, responsive: true };
  function chartLayout(yTitle, extra) {
    return {
      margin: { l: 70, r: 20, t: 10, b: 40 },
      font: { family: "system-ui, sans-serif", size: 13, color: "#1a1a1a" },
      legend: { orientation: "h", y: -0.2 },
      yaxis: { title: { text: yTitle }, zeroline: true, zerolinecolor: "#767676" },
      xaxis: { type: "category" },
      ...extra,
    };
  }

  // One flow as line segments (dashed where a derived point is an end) and markers
  // (filled where reported, hollow where derived), so no period is drawn as what it is not.
  function flowTraces(name, colour, points) {
    const traces = [];
    for (let i = 1; i < points.length; i += 1) {
      const [p, q] = [points[i - 1], points[i]];
      const derived = p.figure.status !== "reported" || q.figure.status !== "reported";
      traces.push({
        x: [p.label, q.label], y: [p.figure.value, q.figure.value], type: "scatter", mode: "lines",
        line: { color: colour, width: 2, dash: derived ? "dash" : "solid" },
        hoverinfo: "skip", showlegend: false, legendgroup: name,
      });
    }
    for (const status of ["reported", "derived"]) {
      const kept = points.filter((point) => (point.figure.status === "reported") === (status === "reported"));
      if (!kept.length) continue;
      traces.push({
        x: kept.map((point) => point.label), y: kept.map((point) => point.figure.value),
        type: "scatter", mode: "markers", name: `${name}, ${status}`, legendgroup: name,
        marker: { color: colour, size: 11, symbol: status === "reported" ? "circle" : "circle-open",
          line: { width: 2, color: colour } },
        text: kept.map((point) => `${qualifierWord(point.figure) || ""} ${shownValue(point.figure)} (${point.figure.status})`.trim()),
        hovertemplate: `${name}: %{text}<extra>%{x}</extra>`,
      });
    }
    return traces;
  }

  function seriesPoints(answer) {
    return (answer.series || [])
      .filter((point) => point.value && point.value.value !== null)
      .map((point) => ({ label: point.period.label, start: point.period.start, end: point.period.end, figure: point.value }));
  }

  // Period labels left to right in time, whichever trace names a period first (a category
  // axis otherwise keeps the order of first appearance).
  function inTimeOrder(points) {
    const byLabel = new Map(points.map((point) => [point.label, point]));
    return [...byLabel.values()]
      .sort((p, q) => (p.start === q.start ? p.end.localeCompare(q.end) : p.start.localeCompare(q.start)))
      .map((point) => point.label);
  }

  async function renderSeries(state, spans, span) {
    const select = clear($("pick-span"));
    for (const each of spans) select.append(el("option", { value: each, selected: each === span }, spanName(each)));
    const params = { freq: span };
    const [exports, imports, balance, world] = await Promise.all([
      ask(pairPath(state, "exports"), params),
      ask(pairPath(state, "imports"), params),
      ask(pairPath(state, "balance"), params),
      String(state.b).toUpperCase() === "WLD" ? Promise.resolve({ ok: false }) : ask(`/v1/trade/${encodeURIComponent(state.a)}/WLD/exports`, params),
    ]);
    const flows = {
      exports: exports.ok ? seriesPoints(exports.body) : [],
      imports: imports.ok ? seriesPoints(imports.body) : [],
    };
    const balancePoints = balance.ok ? seriesPoints(balance.body) : [];
    const [a, b] = exports.ok ? exports.body.pair : [{ name: state.a }, { name: state.b }];
    const traces = [
      ...flowTraces(`${a.name}'s exports`, FLOW_COLOURS.exports, flows.exports),
      ...flowTraces(`${a.name}'s imports`, FLOW_COLOURS.imports, flows.imports),
    ];
    // a's exports to the world, as a reports them, on an axis of its own (right): the
    // world's scale would flatten the pair's lines.
    const worldPoints = world.ok ? seriesPoints(world.body) : [];
    if (worldPoints.length) {
      traces.push({
        x: worldPoints.map((point) => point.label), y: worldPoints.map((point) => point.figure.value),
        type: "scatter", mode: "lines+markers", yaxis: "y2",
        name: `${a.name}'s exports to the world (right axis)`,
        line: { color: WORLD_COLOUR, width: 2, dash: "dot" }, marker: { color: WORLD_COLOUR, size: 7 },
        text: worldPoints.map((point) => `${qualifierWord(point.figure) || ""} ${shownValue(point.figure)} (${point.figure.status})`.trim()),
        hovertemplate: "World: %{text}<extra>%{x}</extra>",
      });
    }
    if (balancePoints.length) {
      traces.unshift({
        x: balancePoints.map((point) => point.label), y: balancePoints.map((point) => point.figure.value),
        type: "bar", name: "Balance (exports minus imports), derived: grey bars",
        marker: { color: "#bdbdbd", line: { color: FLOW_COLOURS.balance, width: 1 } },
        text: balancePoints.map((point) => `${qualifierWord(point.figure) || ""} ${shownValue(point.figure)}`.trim()),
        textposition: "none", hovertemplate: "Balance: %{text}<extra>%{x}</extra>",
      });
    }
    // Shown before drawing: a chart drawn in a hidden section takes a default width.
    $("over-time").hidden = false;
    const chart = $("series-chart");
    chart.setAttribute("aria-label", `${a.name}'s exports, imports and balance with ${b.name}, ${spanName(span)}; the table below gives the values`);
    const labels = inTimeOrder([...flows.exports, ...flows.imports, ...balancePoints, ...worldPoints]);
    chart.dataset.periods = labels.join(" ");
    const axes = {
      barmode: "overlay",
      xaxis: { type: "category", categoryorder: "array", categoryarray: labels },
    };
    if (worldPoints.length) {
      axes.yaxis2 = { title: { text: "USD, world" }, overlaying: "y", side: "right", showgrid: false };
      axes.margin = { l: 70, r: 80, t: 10, b: 40 };
    }
    await Plotly.react(chart, traces, chartLayout("USD", axes), CHART_CONFIG);

    const table = clear($("series-table"));
    table.append(el("caption", { id: "series-caption" }, `${a.name} with ${b.name}, ${spanName(span)}: figures in USD`));
    table.append(el("thead", {}, el("tr", {},
      el("th", { scope: "col" }, "Period"), el("th", { scope: "col" }, "Exports"),
      el("th", { scope: "col" }, "Imports"), el("th", { scope: "col" }, "Balance"),
      ...(worldPoints.length ? [el("th", { scope: "col" }, `${a.name}'s exports to the world`)] : []))));
    const body = el("tbody");
    const cell = (points, label) => {
      const found = points.find((point) => point.label === label);
      if (!found) return el("td", {}, "none");
      const word = qualifierWord(found.figure);
      return el("td", { className: "num" }, `${word ? word + " " : ""}${exact(found.figure.value, "")} (${found.figure.status})`);
    };
    for (const label of labels) {
      body.append(el("tr", {}, el("th", { scope: "row" }, label),
        cell(flows.exports, label), cell(flows.imports, label), cell(balancePoints, label),
        ...(worldPoints.length ? [cell(worldPoints, label)] : [])));
    }
    table.append(body);
    downloads($("series-downloads"), [
      ["Exports", pairPath(state, "exports"), params],
      ["Imports", pairPath(state, "imports"), params],
      ["Balance", pairPath(state, "balance"), params],
    ]);
    $("over-time").hidden = false;
  }

  function shortened(text) {
    return text.length > 28 ? `${text.slice(0, 27)}…` : text;
  }

  // A line's earlier level: the year before's, or the one the source compares it with.
  function earlierOf(line, measure) {
    if (line.earlier && line.earlier[measure]) return line.earlier[measure];
    const compared = line.comparison && line.comparison.compared_with;
    return compared && compared.measure === line[measure].measure ? compared : null;
  }

  function goodsRows(lines, measure) {
    return lines
      .filter((line) => line[measure])
      .map((line) => ({
        line,
        figure: line[measure],
        earlier: earlierOf(line, measure),
        label: `${shortened(line.commodity.description)}<br>HS ${line.commodity.code}, ${line.flow}s`,
      }));
  }

  async function renderGoods(state, answer) {
    const lines = answer.lines || [];
    const section = $("goods");
    if (!lines.length) {
      section.hidden = true;
      return;
    }
    const measures = ["value", "quantity"].filter((m) => lines.some((line) => line[m]));
    const select = clear($("pick-measure"));
    if (!measures.includes(state.measure)) state.measure = measures[0];
    for (const m of measures) {
      select.append(el("option", { value: m, selected: m === state.measure }, m === "value" ? "Value (USD)" : "Quantity (tonnes)"));
    }
    const rows = goodsRows(lines, state.measure);
    const unit = rows.length ? rows[0].figure.unit : "";
    const [a, b] = answer.pair;
    const current = {
      y: rows.map((row) => row.label), x: rows.map((row) => row.figure.value), type: "bar",
      orientation: "h", name: `${state.period}`,
      marker: { color: rows.map((row) => (row.figure.status === "reported" ? FLOW_COLOURS.exports : "#ffffff")),
        line: { color: FLOW_COLOURS.exports, width: 2 },
        pattern: { shape: rows.map((row) => (row.figure.status === "reported" ? "" : "/")), fgcolor: FLOW_COLOURS.exports } },
      text: rows.map((row) => `${qualifierWord(row.figure) || ""} ${shownValue(row.figure)} (${row.figure.status})`.trim()),
      textposition: "none", hovertemplate: "%{y}: %{text}<extra></extra>",
    };
    const earlierRows = rows.filter((row) => row.earlier && row.earlier.value !== null);
    const traces = [current];
    if (earlierRows.length) {
      traces.push({
        y: earlierRows.map((row) => row.label), x: earlierRows.map((row) => row.earlier.value), type: "bar",
        orientation: "h", name: `${earlierRows[0].earlier.period.label} (outlined)`,
        marker: { color: "#ffffff", line: { color: EARLIER_COLOUR, width: 2 },
          pattern: { shape: earlierRows.map((row) => (row.earlier.status === "reported" ? "" : "/")), fgcolor: EARLIER_COLOUR } },
        text: earlierRows.map((row) => `${shownValue(row.earlier)} (${row.earlier.status})`),
        textposition: "none", hovertemplate: "%{y}: %{text}<extra></extra>",
      });
    }
    section.hidden = false;
    const chart = $("goods-chart");
    chart.setAttribute("aria-label", `Goods traded between ${a.name} and ${b.name}, ${state.period}, by ${state.measure}; the table below gives the values`);
    await Plotly.react(chart, traces, chartLayout("", {
      barmode: "group", margin: { l: 20, r: 20, t: 10, b: 40 },
      yaxis: { automargin: true, type: "category" }, xaxis: { title: { text: unit } },
    }), CHART_CONFIG);

    const table = clear($("goods-table"));
    table.append(el("caption", { id: "goods-caption" }, `Goods, ${state.period}, by ${state.measure} (${unit}); lines overlap where one code sits within another, and are never added up`));
    table.append(el("thead", {}, el("tr", {}, ...["Goods", "HS code", "Direction (for " + a.name + ")", state.period, "Earlier", "Change", "Overlaps", "Whose figure"].map((h) => el("th", { scope: "col" }, h)))));
    const body = el("tbody");
    for (const row of rows) {
      const line = row.line;
      const compared = line.comparison || {};
      const change = [line.multiplier || compared.ratio, line.growth || compared.growth].filter(Boolean);
      const overlaps = [
        ...(line.within || []).map((code) => `within ${code.code || code}`),
        ...(line.contains || []).map((code) => `contains ${code.code || code}`),
      ].join("; ");
      body.append(el("tr", {},
        el("th", { scope: "row" }, line.commodity.description),
        el("td", {}, line.commodity.code),
        el("td", {}, line.flow),
        el("td", { className: "num" }, figureNode(row.figure), ...badges(row.figure)),
        el("td", { className: "num" }, row.earlier ? el("span", {}, figureNode(row.earlier), ` (${row.earlier.period.label})`, ...badges(row.earlier)) : "none"),
        el("td", {}, ...change.map((figure) => el("span", {}, figureNode(figure), ...badges(figure), " "))),
        el("td", {}, overlaps || "none"),
        el("td", {}, whose(row.figure))));
    }
    table.append(body);
    downloads($("goods-downloads"), [["Goods", pairPath(state, "commodities"), { period: state.period }]]);
    section.hidden = false;
  }

  // ---- targets, forecasts and relations ----

  function renderPlans(state, answer) {
    const list = clear($("plans-list"));
    const plans = (answer && answer.plans) || [];
    for (const plan of plans) {
      const figure = plan.figure;
      const item = el("li", {}, ...badges(figure), " ",
        el("strong", {}, `${FLOW_NAMES[figure.flow] || figure.flow}, ${MEASURE_NAMES[figure.measure] || figure.measure} for ${figure.period.label}: `),
        figureNode(figure), figure.base_period ? ` on ${figure.base_period.label}` : "",
        el("div", {}, figure.statement));
      if (plan.progress && plan.progress.assessment) item.append(el("div", { className: "meta" }, `Progress: ${plan.progress.assessment}`));
      const baseline = plan.baseline;
      if (baseline && baseline.value) {
        item.append(el("div", { className: "meta" }, "Baseline: ", figureNode(baseline.value), ` in ${baseline.period.label}`));
      } else if (baseline && baseline.explanation) {
        item.append(el("div", { className: "meta" }, baseline.explanation));
      }
      list.append(item);
    }
    $("plans").hidden = plans.length === 0;
    downloads($("plans-downloads"), [["Targets and forecasts", pairPath(state, "targets"), {}]]);
  }

  function renderContext(state, answer) {
    const list = clear($("context-list"));
    const facts = (answer && answer.facts) || [];
    for (const fact of facts) {
      const word = fact.qualifier !== "exact" ? (fact.qualifier_wording || QUALIFIER_WORDS[fact.qualifier]) : null;
      list.append(el("li", {}, fact.statement, " ",
        el("span", { className: `badge ${fact.status}` }, fact.status),
        word ? el("span", { className: "badge qualifier" }, word) : null,
        el("div", { className: "meta" },
          `${fact.kind.replace(/_/g, " ")}${fact.period ? ", " + fact.period : ""}; `,
          fact.attribution === "speaker" ? "a quoted speaker's words; " : "the publisher's own account; ",
          el("a", { href: `/v1/sources/${fact.source.id}` }, fact.source.citation))));
    }
    $("context").hidden = facts.length === 0;
    downloads($("context-downloads"), [["Relations", pairPath(state, "relations"), {}]]);
  }

  // ---- pickers ----

  let countries = { all: [], withData: [] };

  function countryLabel(country) {
    return `${country.name} (${country.alpha2})`;
  }

  function fillCountries(listId, first) {
    const seen = new Set(first.map((country) => country.alpha3));
    const list = clear($(listId));
    for (const country of [...first, ...countries.all.filter((c) => !seen.has(c.alpha3))]) {
      list.append(el("option", { value: countryLabel(country) }));
    }
  }

  function codeOf(text) {
    const trimmed = text.trim();
    const inBrackets = trimmed.match(/\(([A-Za-z0-9]{2,3})\)\s*$/);
    if (inBrackets) return inBrackets[1].toUpperCase();
    const byName = countries.all.find((country) => country.name.toLowerCase() === trimmed.toLowerCase());
    return byName ? byName.alpha2 : trimmed;
  }

  function showCountry(input, code) {
    const found = countries.all.find((c) => [c.alpha2, c.alpha3, c.numeric].includes(String(code).toUpperCase()));
    input.value = found ? countryLabel(found) : code;
  }

  async function loadCountries() {
    const [all, withData] = await Promise.all([
      ask("/v1/countries", { limit: 1000 }),
      ask("/v1/countries", { limit: 1000, with_data: "true" }),
    ]);
    countries = { all: all.ok ? all.body.data : [], withData: withData.ok ? withData.body.data : [] };
    fillCountries("countries-a", countries.withData);
  }

  async function loadPartners(a) {
    const partners = await ask("/v1/countries", { limit: 1000, trades_with: a });
    fillCountries("countries-b", partners.ok ? partners.body.data : countries.withData);
    return partners.ok ? partners.body.data : [];
  }

  // ---- one load of the page ----

  function setStatus(text, problem) {
    const status = $("status");
    status.textContent = text;
    status.classList.toggle("problem", Boolean(problem));
  }

  function problemText(answer) {
    const body = answer.body || {};
    return body.detail || body.title || `The API answered ${answer.status}.`;
  }

  function fieldFor(answer) {
    const errors = (answer.body && answer.body.errors) || [];
    for (const error of errors) {
      const location = String(error.location || error.loc || "");
      if (location.endsWith(".a") || location.endsWith("a'")) return "pick-a-error";
      if (location.endsWith(".b")) return "pick-b-error";
      if (location.includes("period")) return "pick-period-error";
    }
    return null;
  }

  function hideAll() {
    for (const id of ["headline", "over-time", "partners", "goods", "plans", "context"]) $(id).hidden = true;
  }

  function countryName(alpha3) {
    const found = countries.all.find((country) => country.alpha3 === alpha3);
    return found ? found.name : alpha3;
  }

  // ---- a country among all its partners ----

  async function renderPartners(state) {
    const flow = $("pick-partners-flow").value || "export";
    const path = `/v1/trade/${encodeURIComponent(state.a)}/partners`;
    let params = { flow, period: state.period, limit: PARTNERS_SHOWN };
    let answer = await ask(path, params);
    let fallback = false;
    if (!answer.ok && answer.status === 404 && state.period) {
      params = { flow, limit: PARTNERS_SHOWN };  // the latest period a reports
      answer = await ask(path, params);
      fallback = true;
    }
    const section = $("partners");
    if (!answer.ok) {
      section.hidden = true;
      return;
    }
    const body = answer.body;
    const reporter = body.reporter.name;
    const flowText = body.flow === "export" ? "exports" : "imports";
    const world = body.world;
    const basis = world.basis === "reported"
      ? `Shares are of ${reporter}'s ${flowText} with the world as ${reporter} reports them (${shownValue(world.figure)}).`
      : `${reporter} reports no ${flowText} with the world for this period: shares are of the sum of the partners it reports, ${amount(world.value, "USD")}, which leaves out trade it did not allocate to a partner.`;
    const when = fallback ? ` ${reporter} reports none for ${state.period}; this is its latest period.` : "";
    $("partners-note").textContent = `${reporter}'s ${flowText}, ${body.period.label}: the top ${Math.min(PARTNERS_SHOWN, body.partner_count)} of ${body.partner_count} partners, in ${reporter}'s own statistics. ${basis}${when}`;
    const lines = body.partners;
    section.hidden = false;
    const chart = $("partners-chart");
    chart.setAttribute("aria-label", `${reporter}'s ${flowText} by partner, ${body.period.label}; the table below gives the values and shares`);
    const height = 80 + 32 * Math.max(lines.length, 1);
    chart.style.height = `${height}px`;
    const ordered = [...lines].reverse();  // the largest at the top
    await Plotly.react(chart, [{
      type: "bar", orientation: "h",
      y: ordered.map((line) => line.partner.name), x: ordered.map((line) => line.value.value),
      marker: { color: body.flow === "export" ? FLOW_COLOURS.exports : FLOW_COLOURS.imports },
      text: ordered.map((line) => (line.share ? `${line.share.percent} %` : "")), textposition: "outside",
      hovertemplate: "%{y}: %{x:,} USD<extra></extra>",
    }], chartLayout("", {
      margin: { l: 160, r: 60, t: 10, b: 40 },
      xaxis: { title: { text: "USD" } }, yaxis: { type: "category", automargin: true },
      showlegend: false, height,
    }), CHART_CONFIG);
    const table = clear($("partners-table"));
    table.append(el("caption", { id: "partners-caption" }, `${reporter}'s ${flowText} by partner, ${body.period.label}`));
    table.append(el("thead", {}, el("tr", {},
      el("th", { scope: "col" }, "Rank"), el("th", { scope: "col" }, "Partner"),
      el("th", { scope: "col" }, "Value"), el("th", { scope: "col" }, "Share"))));
    const rows = el("tbody");
    for (const line of lines) {
      const pair = `/dashboard?a=${encodeURIComponent(body.reporter.alpha2)}&b=${encodeURIComponent(line.partner.alpha2)}`;
      const share = line.share ? `${line.share.qualifier === "exact" ? "" : (QUALIFIER_WORDS[line.share.qualifier] || line.share.qualifier) + " "}${line.share.percent} %` : "none";
      rows.append(el("tr", {},
        el("td", { className: "num" }, String(line.rank)),
        el("th", { scope: "row" }, el("a", { href: pair }, line.partner.name)),
        el("td", { className: "num" }, figureNode(line.value)),
        el("td", { className: "num" }, share)));
    }
    table.append(rows);
    downloads($("partners-downloads"), [["Partners", path, { ...params, limit: 250 }]]);
  }

  function clearErrors() {
    for (const id of ["pick-a-error", "pick-b-error", "pick-period-error"]) $(id).textContent = "";
    for (const id of ["pick-a", "pick-b", "pick-period"]) $(id).removeAttribute("aria-invalid");
  }

  function showProblem(answer) {
    const field = fieldFor(answer);
    const text = problemText(answer);
    if (field) {
      $(field).textContent = text;
      $(field.replace("-error", "")).setAttribute("aria-invalid", "true");
      setStatus("The API could not answer: see the message by the field.", true);
    } else {
      setStatus(text, true);
    }
  }

  function periodsOf(...answers) {
    const byLabel = new Map();
    for (const answer of answers) {
      if (!answer.ok) continue;
      for (const point of answer.body.series || []) byLabel.set(point.period.label, point.period);
    }
    return [...byLabel.values()].sort((p, q) => (p.end === q.end ? p.start.localeCompare(q.start) : p.end.localeCompare(q.end)));
  }

  function writeUrl(state, push) {
    const url = new URL(location.href);
    url.search = "";
    for (const name of ["a", "b", "period"]) if (state[name]) url.searchParams.set(name, state[name]);
    if (url.href === location.href) return;
    if (push) history.pushState(null, "", url);
    else history.replaceState(null, "", url);
  }

  async function load(state, push) {
    clearErrors();
    setStatus("Loading…");
    document.body.setAttribute("aria-busy", "true");
    try {
      await loadInner(state, push);
    } finally {
      document.body.removeAttribute("aria-busy");
      document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
    }
  }

  async function loadInner(state, push) {
    const [turnoverSeries, exportSeries, importSeries] = await Promise.all([
      ask(pairPath(state, "turnover")),
      ask(pairPath(state, "exports")),
      ask(pairPath(state, "imports")),
    ]);
    if (!exportSeries.ok || !importSeries.ok) {
      hideAll();
      showProblem(exportSeries.ok ? importSeries : exportSeries);
      writeUrl(state, push);
      return;
    }
    const [a, b] = exportSeries.body.pair;
    $("title").textContent = `Trade between ${a.name} and ${b.name}`;
    document.title = `${a.name} and ${b.name}: trade, tradestats`;
    const periods = periodsOf(turnoverSeries, exportSeries, importSeries);
    const periodList = clear($("periods"));
    for (const period of periods) periodList.append(el("option", { value: period.label }));
    const [relations, targets, allGoods] = await Promise.all([
      ask(pairPath(state, "relations")),
      ask(pairPath(state, "targets")),
      ask(pairPath(state, "commodities")),
    ]);
    if (!periods.length) {
      hideAll();
      setStatus(`The store has no trade figures for ${a.name} and ${b.name}. Pick another pair: countries with figures come first in the lists.`, true);
      if (relations.ok) renderContext(state, relations.body);
      if (targets.ok) renderPlans(state, targets.body);
      writeUrl(state, push);
      return;
    }
    if (!state.period) state.period = periods[periods.length - 1].label;
    $("pick-period").value = state.period;
    writeUrl(state, push);

    // Ask only for what the series say exists, so that a pair with one flow costs no
    // 404s; a period the lists do not name is asked as typed, for the API's own answer.
    const has = (answer) => answer.ok && (answer.body.series || []).some((point) => point.period.label === state.period);
    const listed = [turnoverSeries, exportSeries, importSeries].some(has);
    const period = { period: state.period };
    const skipped = Promise.resolve({ ok: false, status: 0, body: null });
    const askIf = (wanted, what) => (wanted ? ask(pairPath(state, what), period) : skipped);
    const goodsListed = allGoods.ok && (allGoods.body.lines || []).some((line) => line.period.label === state.period);
    const [turnover, exports, imports, balance, goods] = await Promise.all([
      askIf(!listed || has(turnoverSeries), "turnover"),
      askIf(!listed || has(exportSeries), "exports"),
      askIf(!listed || has(importSeries), "imports"),
      askIf(!listed || (has(exportSeries) && has(importSeries)), "balance"),
      askIf(goodsListed, "commodities"),
    ]);
    const answered = (answer) => (answer.ok ? answer.body : null);
    const headline = turnover.ok || exports.ok || imports.ok;
    if (!headline && !goods.ok) {
      hideAll();
      showProblem([turnover, exports, imports].find((answer) => answer.status) || turnover);
      if (relations.ok) renderContext(state, relations.body);
      if (targets.ok) renderPlans(state, targets.body);
      return;
    }
    if (!headline) {
      // Goods only (the 2017 grain figure): show what exists for the period.
      $("headline").hidden = true;
      const spans = [...new Set([...exportSeries.body.spans, ...importSeries.body.spans])];
      const goodsPeriod = goods.body.lines.find((line) => line.period.label === state.period).period;
      state.span = state.span && spans.includes(state.span) ? state.span : spanOf(goodsPeriod);
      await Promise.all([
        renderGoods(state, goods.body),
        spans.length ? renderSeries(state, spans, spans.includes(state.span) ? state.span : spans[0]) : Promise.resolve(),
        renderPartners(state),
      ]);
      renderPlans(state, answered(targets));
      renderContext(state, answered(relations));
      setStatus(`No turnover, exports or imports of ${a.name} and ${b.name} for ${state.period} in the store; the goods below have figures for it.`);
      return;
    }
    const flowOrEmpty = (answer) => answered(answer) || { value: null, growth: null, year_earlier: null };
    const turnoverBody = answered(turnover) || { ...flowOrEmpty(turnover), pair: [a, b] };
    let balanceEarlier = null;
    const earlier = turnoverBody.year_earlier;
    const bothEarlier = exports.ok && imports.ok && exports.body.year_earlier && exports.body.year_earlier.value
      && imports.body.year_earlier && imports.body.year_earlier.value;
    if (bothEarlier && earlier) {
      const before = await ask(pairPath(state, "balance"), { period: earlier.period.label });
      balanceEarlier = before.ok ? before.body.series[0] || null : null;
    }
    renderCards(state, {
      turnover: turnoverBody,
      exports: flowOrEmpty(exports),
      imports: flowOrEmpty(imports),
      balance: balance.ok ? balance.body.series[0] || null : null,
      balanceEarlier,
    });
    const answerPeriod = (answered(turnover) || answered(exports) || answered(imports)).period;
    const spans = [...new Set([...exportSeries.body.spans, ...importSeries.body.spans])];
    state.span = state.span && spans.includes(state.span) ? state.span : spanOf(answerPeriod);
    const rendering = [renderSeries(state, spans, state.span), renderPartners(state)];
    if (goods.ok) rendering.push(renderGoods(state, goods.body));
    else $("goods").hidden = true;
    renderPlans(state, answered(targets));
    renderContext(state, answered(relations));
    await Promise.all(rendering);
    setStatus(`Figures for ${a.name} and ${b.name}, ${state.period}. Hover over or focus a number to see what it rests on.`);
  }

  function stateFromUrl() {
    const params = new URLSearchParams(location.search);
    return { a: params.get("a"), b: params.get("b"), period: params.get("period"), span: null, measure: null };
  }

  let state = stateFromUrl();

  async function start() {
    await loadCountries();
    // The article's pair opens the page while the store holds it, whatever else it holds.
    const hasData = (code) => countries.withData.some((country) => country.alpha2 === code);
    if (!state.a && !state.b && DEFAULT_PAIR.every(hasData)) [state.a, state.b] = DEFAULT_PAIR;
    if (!state.a && countries.withData.length) state.a = countries.withData[0].alpha2;
    if (!state.a) {
      setStatus("The store has no figures yet: load some through the API (POST /v1/observations or /v1/imports).", true);
      return;
    }
    showCountry($("pick-a"), state.a);
    const partners = await loadPartners(state.a);
    if (!state.b) {
      const other = partners.find((c) => c.alpha2 !== String(state.a).toUpperCase()) || countries.withData.find((c) => c.alpha2 !== String(state.a).toUpperCase());
      state.b = other ? other.alpha2 : null;
    }
    if (!state.b) {
      setStatus("Pick a partner country.", true);
      return;
    }
    showCountry($("pick-b"), state.b);
    await load(state, false);
  }

  $("controls").addEventListener("submit", async (event) => {
    event.preventDefault();
    const a = codeOf($("pick-a").value);
    const b = codeOf($("pick-b").value);
    const pairChanged = a !== state.a || b !== state.b;
    state = { a, b, period: $("pick-period").value.trim() || null, span: null, measure: state.measure };
    if (pairChanged) {
      await loadPartners(a);
      if (!$("pick-period").value.trim()) state.period = null;
    }
    await load(state, true);
  });

  $("pick-a").addEventListener("change", () => {
    const code = codeOf($("pick-a").value);
    if (code) loadPartners(code);
  });

  $("pick-span").addEventListener("change", async () => {
    state.span = $("pick-span").value;
    await renderSeries(state, [...$("pick-span").options].map((option) => option.value), state.span);
  });

  $("pick-partners-flow").addEventListener("change", async () => {
    await renderPartners(state);
  });

  $("pick-measure").addEventListener("change", async () => {
    state.measure = $("pick-measure").value;
    const goods = await ask(pairPath(state, "commodities"), { period: state.period });
    if (goods.ok) await renderGoods(state, goods.body);
  });

  window.addEventListener("popstate", async () => {
    state = stateFromUrl();
    if (state.a) showCountry($("pick-a"), state.a);
    if (state.b) showCountry($("pick-b"), state.b);
    $("pick-period").value = state.period || "";
    await load(state, false);
  });

  start().catch((error) => setStatus(`The page could not load: ${error.message}`, true));
})();
