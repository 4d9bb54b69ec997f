import { Field, SearchBox } from "@fluentui/react-components";
import { useEffect, useState } from "react";

/** A search box that applies what was typed after a short pause (or at once on Enter). */
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
  useEffect(() => setText(value), [value]);
  useEffect(() => {
    if (text === value) return;
    const timer = setTimeout(() => onSearch(text.trim()), delayMs);
    return () => clearTimeout(timer);
  }, [text, value, onSearch, delayMs]);
  return (
    <Field label={label}>
      <SearchBox
        style={{ minWidth: 0, width: "100%", maxWidth: "none" }}
        value={text}
        placeholder={placeholder}
        onChange={(_, d) => setText(d.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") onSearch(text.trim());
        }}
      />
    </Field>
  );
}
