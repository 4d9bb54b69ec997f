import { Field, SearchBox } from "@fluentui/react-components";
import { useEffect, useRef, useState } from "react";

/**
 * A search box that applies what was typed after a short pause (or at once on Enter). The box owns its
 * text: the applied search coming back as `value` never overwrites what the person typed since; only a
 * search changed from elsewhere (a link, Back) replaces it.
 */
export function SearchField({
  label,
  placeholder,
  value,
  onSearch,
  delayMs = 400,
}: {
  label: string;
  placeholder?: string;
  value: string;
  onSearch: (q: string) => void;
  delayMs?: number;
}) {
  const [text, setText] = useState(value);
  const applied = useRef(value);
  const onSearchRef = useRef(onSearch);
  onSearchRef.current = onSearch;

  useEffect(() => {
    if (value === applied.current) return;
    applied.current = value;
    setText(value);
  }, [value]);

  const apply = (q: string) => {
    if (q === applied.current) return;
    applied.current = q;
    onSearchRef.current(q);
  };

  // Keyed on the text only: a screen re-rendering for other reasons must not restart the pause.
  // biome-ignore lint/correctness/useExhaustiveDependencies: apply reads refs that are always current.
  useEffect(() => {
    const timer = setTimeout(() => apply(text.trim()), delayMs);
    return () => clearTimeout(timer);
  }, [text, delayMs]);

  return (
    <Field label={label}>
      <SearchBox
        style={{ minWidth: 0, width: "100%", maxWidth: "none" }}
        value={text}
        placeholder={placeholder}
        onChange={(_, d) => setText(d.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") apply(text.trim());
        }}
      />
    </Field>
  );
}
