import { byId } from "./dom";

/** Asks in a modal <dialog> (focus trapped, Escape cancels); resolves true only on the confirm button. */
export function confirmAction(title: string, text: string, okLabel: string): Promise<boolean> {
  const dialog = byId<HTMLDialogElement>("confirm");
  byId("confirm-title").textContent = title;
  byId("confirm-text").textContent = text;
  byId("confirm-ok").textContent = okLabel;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true }));
}
