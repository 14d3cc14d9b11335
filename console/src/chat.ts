import { el } from "./dom.js";

/** The chat panel: room messages in, your messages out (the server does not echo them back). */
export class ChatPanel {
  readonly #log: HTMLOListElement;

  constructor(log: HTMLOListElement, form: HTMLFormElement, input: HTMLInputElement, send: (text: string) => Promise<void>) {
    this.#log = log;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = input.value.trim();
      if (!text) return;
      input.disabled = true;
      send(text)
        .then(() => {
          this.add("You", text, { mine: true });
          input.value = "";
        })
        .catch((err: unknown) => this.system(`Not sent: ${err instanceof Error ? err.message : String(err)}`))
        .finally(() => {
          input.disabled = false;
          input.focus();
        });
    });
  }

  add(who: string, text: string, options: { mine?: boolean; private?: boolean } = {}): void {
    const time = el("time", { text: new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) });
    const label = options.private ? `${who} (to you)` : who;
    const item = el("li", { className: options.mine ? "mine" : "" }, [
      el("span", { className: "who", text: label }),
      document.createTextNode(text),
      time,
    ]);
    this.#append(item);
  }

  /** Joins, leaves and failures, in grey between the messages. */
  system(text: string): void {
    this.#append(el("li", { className: "system", text }));
  }

  #append(item: HTMLElement): void {
    // keep the newest in view unless the reader has scrolled up
    const atBottom = this.#log.scrollHeight - this.#log.scrollTop - this.#log.clientHeight < 40;
    this.#log.append(item);
    if (atBottom) this.#log.scrollTop = this.#log.scrollHeight;
  }
}
