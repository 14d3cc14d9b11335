/**
 * The deployment templates' syntax, deliberately small: `{{name}}` is replaced by a string value,
 * `{{#flag}}…{{/flag}}` is kept when a boolean is true and `{{^flag}}…{{/flag}}` when it is false.
 * A tag alone on its line takes the line with it. A name the values lack, a value of the wrong
 * kind or a tag left over is an error naming the template, so a template cannot render half-done.
 */
export type TemplateValues = Record<string, string | boolean>;

export class TemplateError extends Error {
  override name = "TemplateError";
}

const STANDALONE_TAG = /^[ \t]*(\{\{[#^/][A-Za-z]\w*\}\})[ \t]*\r?\n/gm;
/** A section with no section inside it, so nested ones resolve from the inside out. */
const INNERMOST_SECTION = /\{\{([#^])([A-Za-z]\w*)\}\}((?:(?!\{\{[#^][A-Za-z]\w*\}\})[\s\S])*?)\{\{\/\2\}\}/;
const VARIABLE = /\{\{([A-Za-z]\w*)\}\}/g;

export function renderTemplate(text: string, values: TemplateValues, name: string): string {
  let out = text.replace(STANDALONE_TAG, "$1");
  for (let match = INNERMOST_SECTION.exec(out); match; match = INNERMOST_SECTION.exec(out)) {
    const [whole, kind, flag, body] = match as unknown as [string, "#" | "^", string, string];
    const value = values[flag];
    if (typeof value !== "boolean") throw new TemplateError(`${name}: section {{${kind}${flag}}} needs a true/false value`);
    out = out.slice(0, match.index) + (value === (kind === "#") ? body : "") + out.slice(match.index + whole.length);
  }
  out = out.replace(VARIABLE, (_, key: string) => {
    const value = values[key];
    if (typeof value !== "string") throw new TemplateError(`${name}: {{${key}}} has no text value`);
    return value;
  });
  const left = /\{\{[^}]*\}\}/.exec(out);
  if (left) throw new TemplateError(`${name}: ${left[0]} is not closed or not a tag`);
  return out;
}
