/**
 * The `Prefer` request header (RFC 7240) as Dataverse's Web API reads it: `return=representation`,
 * `odata.maxpagesize=n` and `odata.include-annotations="…"`. Several Prefer headers arrive joined with
 * commas, and an annotation list is itself a comma list inside quotes, so the header is split only on
 * commas outside quotes.
 */

/** Which annotations `odata.include-annotations` asks for, and the preference as the request sent it. */
export interface AnnotationFilter {
  /** `odata.include-annotations="…"` as sent: what `Preference-Applied` echoes. */
  preference: string;
  includes(term: string): boolean;
}

export interface Preferences {
  returnRepresentation: boolean;
  /** Absent when the request asks for no annotations. */
  annotations?: AnnotationFilter;
  maxPageSize?: number;
}

const ANNOTATIONS_PREFERENCE = "odata.include-annotations";

export function readPreferences(header: string | null): Preferences {
  const preferences: Preferences = { returnRepresentation: false };
  for (const part of splitOutsideQuotes(header ?? "")) {
    const [name, ...rest] = part.split("=");
    const value = rest.join("=").trim();
    switch (name.trim().toLowerCase()) {
      case "return":
        if (value === "representation") preferences.returnRepresentation = true;
        break;
      case "odata.maxpagesize": {
        const size = Number(value);
        if (Number.isInteger(size) && size > 0) preferences.maxPageSize = size;
        break;
      }
      case ANNOTATIONS_PREFERENCE:
        preferences.annotations = readAnnotationFilter(value);
        break;
    }
  }
  return preferences;
}

/**
 * OData's annotation filter: a comma list of terms, `*` (all), `Namespace.*` or, as Dataverse also takes,
 * any prefix ending in `*` (`Microsoft.PowerApps.CDS.ErrorDetails*`); a term after `-` is excluded.
 * Terms compare without regard to case.
 */
function readAnnotationFilter(value: string): AnnotationFilter {
  const unquoted = value.replace(/^"(.*)"$/, "$1");
  const patterns = unquoted.split(",").map((item) => item.trim().toLowerCase()).filter(Boolean);
  const matches = (pattern: string, term: string) => (pattern.endsWith("*") ? term.startsWith(pattern.slice(0, -1)) : term === pattern);
  const included = patterns.filter((pattern) => !pattern.startsWith("-"));
  const excluded = patterns.filter((pattern) => pattern.startsWith("-")).map((pattern) => pattern.slice(1));
  return {
    preference: `${ANNOTATIONS_PREFERENCE}="${unquoted}"`,
    includes: (term) => {
      const lower = term.toLowerCase();
      return included.some((pattern) => matches(pattern, lower)) && !excluded.some((pattern) => matches(pattern, lower));
    },
  };
}

function splitOutsideQuotes(text: string): string[] {
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  for (const character of text) {
    if (character === '"') quoted = !quoted;
    if (character === "," && !quoted) {
      parts.push(current.trim());
      current = "";
    } else {
      current += character;
    }
  }
  parts.push(current.trim());
  return parts.filter(Boolean);
}
