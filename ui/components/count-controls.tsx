/** @jsxImportSource preact */
/**
 * The +1 / −1 / "Set …" buttons that change a count (a resource's capacity, a
 * worker's processes), the last one asking for the new number in a modal.
 * @module
 */
import { openModal, PromptModal } from "./modal.tsx";

export function CountControls({
  value,
  noun,
  placeholder,
  valid,
  onSet,
  canDecrease = true,
}: {
  value: number;
  /** Singular; the labels add an "s". */
  noun: string;
  placeholder: string;
  valid: (n: number) => boolean;
  onSet: (n: number) => void;
  canDecrease?: boolean;
}) {
  return (
    <>
      <button type="button" title={`Add 1 ${noun}`} onClick={() => onSet(value + 1)}>+1</button>
      <button type="button" title={`Remove 1 ${noun}`} onClick={() => onSet(value - 1)} disabled={!canDecrease}>−1</button>
      <button
        type="button"
        onClick={() => openModal(<PromptModal title={`Set ${noun}s`} label={`New number of ${noun}s:`} placeholder={placeholder} valid={valid} onSubmit={onSet} />)}
      >
        Set {noun}s…
      </button>
    </>
  );
}
