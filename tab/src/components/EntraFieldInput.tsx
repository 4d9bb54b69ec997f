import { Combobox, Option, OptionGroup } from "@fluentui/react-components";
import { useState } from "react";
import { ENTRA_USER_FIELDS, EXTENSION_ATTRIBUTES } from "../app/settingsForm.ts";

/**
 * An Entra user property: pick a standard one or an on-premises extension attribute, or type a directory
 * extension (extension_{appId}_{name}).
 */
export function EntraFieldInput({
  label,
  value,
  onChange,
  invalid,
  disabled,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  invalid?: boolean;
  disabled?: boolean;
}) {
  // While typing, narrow the choices; once a known property is chosen, show them all again.
  const [typing, setTyping] = useState(false);
  const q = value.trim().toLowerCase();
  const match = (v: string) => !typing || !q || v.toLowerCase().includes(q);
  const standard = ENTRA_USER_FIELDS.filter(match);
  const extensions = EXTENSION_ATTRIBUTES.filter(match);
  return (
    <Combobox
      style={{ minWidth: 0, width: "100%" }}
      aria-label={label}
      freeform
      value={value}
      selectedOptions={[value]}
      disabled={disabled}
      aria-invalid={invalid || undefined}
      onChange={(e) => {
        setTyping(true);
        onChange(e.target.value);
      }}
      onOptionSelect={(_, d) => {
        // Enter or Tab after typing chooses the list's active option, which can be one the typed text
        // no longer matches (the first of the list, givenName): keep what was typed instead.
        if (!d.optionValue || (typing && q && !d.optionValue.toLowerCase().includes(q))) return;
        setTyping(false);
        onChange(d.optionValue);
      }}
    >
      {standard.length > 0 && (
        <OptionGroup label="User properties">
          {standard.map((f) => (
            <Option key={f} value={f}>
              {f}
            </Option>
          ))}
        </OptionGroup>
      )}
      {extensions.length > 0 && (
        <OptionGroup label="On-premises extension attributes">
          {extensions.map((f) => (
            <Option key={f} value={f} text={f}>
              {f.replace("onPremisesExtensionAttributes.", "")}
            </Option>
          ))}
        </OptionGroup>
      )}
    </Combobox>
  );
}
