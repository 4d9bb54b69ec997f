import { Dropdown, Field, Option } from "@fluentui/react-components";

/** A labelled single-choice filter with an "Any" choice that clears it. */
export function FilterDropdown({
  label,
  value,
  options,
  onChange,
  anyLabel = "Any",
}: {
  label: string;
  value: string | undefined;
  options: { value: string; label: string }[];
  onChange: (value: string | undefined) => void;
  anyLabel?: string;
}) {
  const current = options.find((o) => o.value === value);
  return (
    <Field label={label}>
      <Dropdown
        style={{ minWidth: 0, width: "100%" }}
        value={current?.label ?? anyLabel}
        selectedOptions={[value ?? ""]}
        onOptionSelect={(_, d) => onChange(d.optionValue || undefined)}
      >
        <Option value="">{anyLabel}</Option>
        {options.map((o) => (
          <Option key={o.value} value={o.value}>
            {o.label}
          </Option>
        ))}
      </Dropdown>
    </Field>
  );
}
