import { Button, Caption1, Dropdown, Input, makeStyles, Option, tokens } from "@fluentui/react-components";
import { Add20Regular, Delete20Regular } from "@fluentui/react-icons";
import type { Rule, RuleOperator } from "../api/types.ts";
import { EntraFieldInput } from "../components/EntraFieldInput.tsx";
import { type SectionProps, setSettings } from "./settingsTypes.ts";

const OPERATORS: Record<RuleOperator, string> = {
  equals: "equals",
  notEquals: "does not equal",
  startsWith: "starts with",
  isEmpty: "is empty",
  isNotEmpty: "is not empty",
};

const useStyles = makeStyles({
  list: {
    listStyle: "none",
    margin: 0,
    padding: 0,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalS,
  },
  row: {
    display: "grid",
    gridTemplateColumns: "130px minmax(160px, 1.4fr) 150px minmax(120px, 1fr) auto",
    gap: tokens.spacingHorizontalS,
    alignItems: "start",
    "@media (max-width: 800px)": { gridTemplateColumns: "1fr 1fr" },
  },
  group: {
    border: "none",
    margin: 0,
    padding: 0,
    display: "flex",
    flexDirection: "column",
    gap: tokens.spacingVerticalXS,
  },
  legend: { padding: 0, fontWeight: tokens.fontWeightSemibold },
  hint: { color: tokens.colorNeutralForeground2 },
  control: { minWidth: 0, width: "100%" },
  error: { color: tokens.colorPaletteRedForeground1, gridColumn: "1 / -1" },
});

/** Simple client-side rules after the Graph filter: include or leave out users by an attribute. */
export function RulesEditor({ form, update, errors, readOnly }: SectionProps) {
  const s = useStyles();
  const rules = form.settings.users.rules;
  const setRules = (next: Rule[]) =>
    update(setSettings((x) => ({ ...x, users: { ...x.users, rules: next } })));
  const setRule = (i: number, patch: Partial<Rule>) =>
    setRules(rules.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset aria-describedby="rules-hint" className={s.group}>
      <legend className={s.legend}>Rules (optional)</legend>
      <Caption1 id="rules-hint" className={s.hint}>
        Every include rule must match and no exclude rule may match.
      </Caption1>
      <div>
        <ul className={s.list}>
          {rules.map((r, i) => {
            const n = i + 1;
            const error = errors[`users.rules.${i}.attribute`] ?? errors[`users.rules.${i}.value`];
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: rules have no identity besides their position.
              <li key={i} className={s.row}>
                <Dropdown
                  className={s.control}
                  aria-label={`Rule ${n}: effect`}
                  value={r.effect === "include" ? "Include if" : "Exclude if"}
                  selectedOptions={[r.effect]}
                  disabled={readOnly}
                  onOptionSelect={(_, d) => setRule(i, { effect: d.optionValue as Rule["effect"] })}
                >
                  <Option value="include">Include if</Option>
                  <Option value="exclude">Exclude if</Option>
                </Dropdown>
                <EntraFieldInput
                  label={`Rule ${n}: attribute`}
                  value={r.attribute}
                  invalid={!!errors[`users.rules.${i}.attribute`]}
                  disabled={readOnly}
                  onChange={(attribute) => setRule(i, { attribute })}
                />
                <Dropdown
                  className={s.control}
                  aria-label={`Rule ${n}: comparison`}
                  value={OPERATORS[r.operator]}
                  selectedOptions={[r.operator]}
                  disabled={readOnly}
                  onOptionSelect={(_, d) => setRule(i, { operator: d.optionValue as RuleOperator })}
                >
                  {Object.entries(OPERATORS).map(([value, label]) => (
                    <Option key={value} value={value}>
                      {label}
                    </Option>
                  ))}
                </Dropdown>
                <Input
                  className={s.control}
                  aria-label={`Rule ${n}: value`}
                  value={r.value}
                  disabled={readOnly || r.operator === "isEmpty" || r.operator === "isNotEmpty"}
                  aria-invalid={!!errors[`users.rules.${i}.value`] || undefined}
                  onChange={(_, d) => setRule(i, { value: d.value })}
                />
                <Button
                  icon={<Delete20Regular />}
                  aria-label={`Remove rule ${n}`}
                  appearance="subtle"
                  disabled={readOnly}
                  onClick={() => setRules(rules.filter((_, j) => j !== i))}
                />
                {error && (
                  <Caption1 className={s.error} role="alert">
                    Rule {n}: {error}
                  </Caption1>
                )}
              </li>
            );
          })}
        </ul>
        <Button
          icon={<Add20Regular />}
          appearance="subtle"
          disabled={readOnly || rules.length >= 50}
          onClick={() =>
            setRules([
              ...rules,
              { attribute: "department", operator: "equals", value: "", effect: "include" },
            ])
          }
        >
          Add rule
        </Button>
      </div>
    </fieldset>
  );
}
