import { describe, expect, it } from "vitest";
import { renderTemplate, TemplateError } from "./template.js";

describe("renderTemplate", () => {
  it("fills names, keeps or drops sections by their flag, and takes standalone tag lines with them", () => {
    const text = [
      "a={{a}}",
      "{{#on}}",
      "kept {{a}}",
      "{{/on}}",
      "{{^on}}",
      "dropped",
      "{{/on}}",
      "x{{#off}} no{{/off}}{{^off}} yes{{/off}}",
      "",
    ].join("\n");
    expect(renderTemplate(text, { a: "1", on: true, off: false }, "t")).toBe("a=1\nkept 1\nx yes\n");
    expect(renderTemplate(text, { a: "1", on: false, off: true }, "t")).toBe("a=1\ndropped\nx no\n");
  });

  it("resolves nested sections from the inside out", () => {
    const text = "{{#outer}}\n[{{#inner}}both{{/inner}}{{^inner}}outer only{{/inner}}]\n{{/outer}}\n";
    expect(renderTemplate(text, { outer: true, inner: true }, "t")).toBe("[both]\n");
    expect(renderTemplate(text, { outer: true, inner: false }, "t")).toBe("[outer only]\n");
    expect(renderTemplate(text, { outer: false, inner: true }, "t")).toBe("");
  });

  it("refuses a missing value, a value of the wrong kind and an unclosed section, naming the template", () => {
    expect(() => renderTemplate("{{missing}}", {}, "a.tmpl")).toThrow(new TemplateError("a.tmpl: {{missing}} has no text value"));
    expect(() => renderTemplate("{{flag}}", { flag: true }, "a.tmpl")).toThrow("a.tmpl: {{flag}} has no text value");
    expect(() => renderTemplate("{{#text}}x{{/text}}", { text: "yes" }, "a.tmpl")).toThrow("needs a true/false value");
    expect(() => renderTemplate("{{#open}}x", { open: true }, "a.tmpl")).toThrow("a.tmpl: {{#open}} is not closed or not a tag");
  });
});
