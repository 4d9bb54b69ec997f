import { useRef, useState } from "react";

/**
 * Copying a read-only field's value: `input` goes on the field, so that where the host refuses the
 * clipboard the value is selected instead and `hint` tells the admin to press Ctrl+C.
 */
export function useCopy(value: string) {
  const [copied, setCopied] = useState<"no" | "yes" | "select">("no");
  const input = useRef<HTMLInputElement>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied("yes");
    } catch {
      // Some hosts refuse the clipboard to an embedded page: select it so Ctrl+C copies it.
      input.current?.select();
      setCopied("select");
    }
  };
  const hint = copied === "select" ? "Press Ctrl+C to copy the selected text." : undefined;
  return { copied: copied === "yes", copy, input, hint };
}
