import { Button, Combobox, Field, makeStyles, Option, tokens } from "@fluentui/react-components";
import { PersonQuestionMark24Regular } from "@fluentui/react-icons";
import { useEffect, useState } from "react";
import type { PersonHit } from "../api/types.ts";
import { navigate } from "../app/router.ts";
import { useSession } from "../app/session.tsx";
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
  picker: { width: "100%" },
  hit: { display: "flex", flexDirection: "column" },
  muted: { color: tokens.colorNeutralForeground2, fontSize: tokens.fontSizeBase200 },
});

const MIN_CHARS = 2;
/** An address, not a name: asked about as typed rather than searched for. */
const looksLikeAddress = (text: string) => text.includes("@");
const addressOf = (p: PersonHit) => p.mail ?? p.userPrincipalName;

/** People in Entra ID whose name or address starts with what was typed, looked up as the admin types. */
function usePeopleSearch(text: string): PersonHit[] {
  const { client } = useSession();
  const [hits, setHits] = useState<PersonHit[]>([]);
  useEffect(() => {
    const q = text.trim();
    if (q.length < MIN_CHARS) {
      setHits([]);
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      client.searchPeople(q, controller.signal).then(
        (page) => setHits(page.items),
        () => setHits([]), // An address typed in full still works without the picker.
      );
    }, 250);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [client, text]);
  return hits;
}

/** "Why is this user (not) synced?" for anyone, including people the sync left out. */
export function Why({ who }: { who: string }) {
  const s = useStyles();
  const [text, setText] = useState(who);
  useEffect(() => setText(who), [who]);
  const hits = usePeopleSearch(text);
  const ask = (value: string) => {
    const chosen = looksLikeAddress(value)
      ? value
      : (hits.find((h) => h.displayName.toLowerCase() === value.toLowerCase()) ?? hits[0]);
    const address = typeof chosen === "string" ? chosen : chosen ? addressOf(chosen) : value;
    navigate({ name: "why", who: address.trim() });
  };
  return (
    <>
      <PageHeader
        title="Why (not) synced?"
        subtitle="Type a person's name, email or user principal name to see whether the sync includes them, and why."
      />
      <search>
        <form
          className={s.form}
          onSubmit={(e) => {
            e.preventDefault();
            ask(text.trim());
          }}
        >
          <Field label="Person" hint="A name (pick from the list), an email or a UPN" className={s.field}>
            <Combobox
              freeform
              className={s.picker}
              value={text}
              placeholder="Adele Vance or adele.vance@contoso.com"
              onChange={(e) => setText(e.target.value)}
              onOptionSelect={(_, data) => {
                if (!data.optionValue) return;
                setText(data.optionValue);
                navigate({ name: "why", who: data.optionValue });
              }}
            >
              {hits.map((h) => (
                <Option key={h.id} value={addressOf(h)} text={`${h.displayName} (${addressOf(h)})`}>
                  <span className={s.hit}>
                    <span>{h.displayName}</span>
                    <span className={s.muted}>
                      {[addressOf(h), h.jobTitle, h.profileId ? "synced" : "not synced"]
                        .filter(Boolean)
                        .join(" · ")}
                    </span>
                  </span>
                </Option>
              ))}
            </Combobox>
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
