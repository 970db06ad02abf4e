/** A panel of a Grafana dashboard, as far as the checks of one read it. */
export interface DashboardPanel {
  readonly id?: number;
  readonly type?: string;
  readonly title?: string;
  readonly datasource?: unknown;
  /** The queries; a Prometheus query's PromQL is its `expr`. */
  readonly targets?: readonly { readonly refId?: string; readonly expr?: string; readonly datasource?: unknown }[];
  /** A row's panels (a collapsed row keeps them here). */
  readonly panels?: readonly DashboardPanel[];
}

/**
 * Every panel of a dashboard (its JSON model, parsed), rows and the panels inside them
 * included, in the order of the file.
 */
export function dashboardPanels(dashboard: unknown): DashboardPanel[] {
  if (!isRecord(dashboard) || !Array.isArray(dashboard['panels'])) throw new Error('Not a Grafana dashboard: it has no "panels" list');
  const flatten = (panels: readonly unknown[]): DashboardPanel[] =>
    panels.filter(isRecord).flatMap((panel) => [panel as DashboardPanel, ...(Array.isArray(panel['panels']) ? flatten(panel['panels']) : [])]);
  return flatten(dashboard['panels']);
}

/** The PromQL of every panel's queries, in the order of the file. */
export function dashboardExprs(dashboard: unknown): string[] {
  return dashboardPanels(dashboard).flatMap((panel) =>
    (Array.isArray(panel.targets) ? panel.targets : []).flatMap((target) => (isRecord(target) && typeof target.expr === 'string' && target.expr.trim() ? [target.expr] : [])),
  );
}

/**
 * The metric names a dashboard's queries ask for, each once, sorted, as written: a
 * histogram's `agora_x_bucket` stays `agora_x_bucket`, as `/metrics` prints it. Compare
 * them with a scrape to find a panel that can only ever be empty.
 */
export function dashboardMetricNames(dashboard: unknown): string[] {
  return [...new Set(dashboardExprs(dashboard).flatMap(promqlMetricNames))].sort();
}

/** Binary operators and modifiers: never metric names (PromQL reads them in any case). */
const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'atan2', 'inf', 'nan']);
/** Keywords followed by a list of label names, which are not metric names either. */
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
/** Aggregations, which may stand before their `by (…)` rather than before their `(`. */
const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio']);

const IDENTIFIER_START = /[A-Za-z_:]/;
const IDENTIFIER_PART = /[A-Za-z0-9_:]/;

/**
 * The metric names in one PromQL expression, each once, in the order they first appear.
 * A name is an identifier outside `{}`, `[]`, strings and comments that is not a
 * function or aggregation (followed by `(`, or by `by`/`without`), a keyword, or a label of
 * a `by (…)`/`on (…)` list. Grafana's variables (`$app`, `${app}`, `$__rate_interval`)
 * are not names either. It reads a valid expression; it does not check one.
 */
export function promqlMetricNames(expr: string): string[] {
  const names: string[] = [];
  let i = 0;
  /** Index of the next character that is neither white space nor part of a comment. */
  const skipBlank = (from: number): number => {
    let at = from;
    for (;;) {
      while (at < expr.length && /\s/.test(expr[at]!)) at++;
      if (expr[at] !== '#') return at;
      while (at < expr.length && expr[at] !== '\n') at++;
    }
  };
  /** Index after the quoted string that starts at `from`. */
  const skipString = (from: number): number => {
    const quote = expr[from]!;
    let at = from + 1;
    while (at < expr.length && expr[at] !== quote) at += quote !== '`' && expr[at] === '\\' ? 2 : 1;
    return at + 1;
  };
  /** Index after the `close` that ends what opens at `from`, strings inside skipped. */
  const skipUntil = (from: number, close: string): number => {
    let at = from + 1;
    while (at < expr.length && expr[at] !== close) at = /["'`]/.test(expr[at]!) ? skipString(at) : at + 1;
    return at + 1;
  };
  const identifierAt = (from: number): string => {
    let end = from;
    while (end < expr.length && IDENTIFIER_PART.test(expr[end]!)) end++;
    return expr.slice(from, end);
  };

  while (i < expr.length) {
    const char = expr[i]!;
    if (/\s/.test(char) || char === '#') i = skipBlank(i);
    else if (/["'`]/.test(char)) i = skipString(i);
    else if (char === '{') i = skipUntil(i, '}');
    else if (char === '[') i = skipUntil(i, ']');
    else if (char === '$') i = expr[i + 1] === '{' ? skipUntil(i + 1, '}') : i + 1 + identifierAt(i + 1).length;
    else if (/[0-9]/.test(char) || (char === '.' && /[0-9]/.test(expr[i + 1] ?? ''))) {
      // A number or a duration (`0.99`, `1e3`, `0x1f`, `5m`, `1h30m`): no name starts with a digit.
      while (i < expr.length && /[A-Za-z0-9_.]/.test(expr[i]!)) i++;
    } else if (IDENTIFIER_START.test(char)) {
      const word = identifierAt(i);
      const lower = word.toLowerCase();
      i += word.length;
      const next = skipBlank(i);
      if (LABEL_LIST_KEYWORDS.has(lower)) {
        if (expr[next] === '(') i = skipUntil(next, ')');
      } else if (KEYWORDS.has(lower) || expr[next] === '(') {
        // A keyword, or a function or aggregation before its arguments.
      } else if (AGGREGATIONS.has(lower) && LABEL_LIST_KEYWORDS.has(identifierAt(next).toLowerCase())) {
        // `sum by (le) (…)`: the aggregation before its grouping.
      } else if (!names.includes(word)) names.push(word);
    } else i++;
  }
  return names;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
