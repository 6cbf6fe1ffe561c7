/** A dashboard view: builds its static parts once, then refreshes its data on every poll. */
export interface View {
  /** Called once with the view's container; `changed` asks the shell for an immediate refresh. */
  mount(root: HTMLElement, changed: () => void): void;
  /** Fetches and renders; throws the API's errors for the shell to show. */
  refresh(): Promise<void>;
}
