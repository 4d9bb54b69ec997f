import { Button, Field, Input, makeStyles, tokens } from "@fluentui/react-components";
import { PersonQuestionMark24Regular } from "@fluentui/react-icons";
import { useEffect, useState } from "react";
import { navigate } from "../app/router.ts";
import { PageHeader } from "../components/PageHeader.tsx";
import { Empty } from "../components/States.tsx";
import { WhyAnswer } from "../components/WhyAnswer.tsx";

const useStyles = makeStyles({
  form: {
    display: "flex",
    alignItems: "flex-end",
    gap: tokens.spacingHorizontalS,
    marginBottom: tokens.spacingVerticalL,
    flexWrap: "wrap",
  },
  field: { flexGrow: 1, maxWidth: "480px" },
});

/** "Why is this user (not) synced?" for anyone, including people the sync left out. */
export function Why({ who }: { who: string }) {
  const s = useStyles();
  const [text, setText] = useState(who);
  useEffect(() => setText(who), [who]);
  return (
    <>
      <PageHeader
        title="Why (not) synced?"
        subtitle="Enter a person's email or user principal name to see whether the sync includes them, and why."
      />
      <search>
        <form
          className={s.form}
          onSubmit={(e) => {
            e.preventDefault();
            navigate({ name: "why", who: text.trim() });
          }}
        >
          <Field label="Email or UPN" className={s.field}>
            <Input
              value={text}
              onChange={(_, d) => setText(d.value)}
              type="search"
              placeholder="adele.vance@contoso.com"
            />
          </Field>
          <Button type="submit" appearance="primary" disabled={!text.trim()}>
            Explain
          </Button>
        </form>
      </search>
      {who ? (
        <WhyAnswer key={who} who={who} />
      ) : (
        <Empty icon={<PersonQuestionMark24Regular />} title="Ask about anyone in your tenant">
          The answer checks scope, groups, filters, rules, guests, disabled accounts and required fields, and
          shows what the last sync did to them.
        </Empty>
      )}
    </>
  );
}
