import {
  Field,
  Tag,
  TagPicker,
  TagPickerControl,
  TagPickerGroup,
  TagPickerInput,
  TagPickerList,
  TagPickerOption,
} from "@fluentui/react-components";
import { PeopleTeam20Regular } from "@fluentui/react-icons";
import { useEffect, useState } from "react";
import { type ApiError, toApiError } from "../api/client.ts";
import type { GroupHit } from "../api/types.ts";
import { formatCount, groupTypeLabel } from "../app/format.ts";
import { useSession } from "../app/session.tsx";

const MIN_CHARS = 3;
const NOTE = "__note__";

/**
 * Chooses Entra groups by name. Searches the tenant (through the API) once 3 characters are typed and
 * shows each group's type and member count, so two groups with the same name can be told apart.
 */
export function GroupPicker({
  label,
  hint,
  selected,
  known,
  onChange,
  error,
  disabled,
}: {
  label: string;
  hint: string;
  selected: string[];
  /** Groups seen so far, to show names rather than ids for the selection. */
  known: Record<string, GroupHit>;
  onChange: (ids: string[], hits: GroupHit[]) => void;
  error?: string;
  disabled?: boolean;
}) {
  const { client } = useSession();
  const [query, setQuery] = useState("");
  const [hits, setHits] = useState<GroupHit[]>([]);
  const [state, setState] = useState<"idle" | "searching" | "done" | "error">("idle");
  const [searchError, setSearchError] = useState<ApiError>();
  const [looked, setLooked] = useState<Record<string, GroupHit>>({});
  const names = { ...looked, ...known };

  // Groups chosen before this visit are only ids: fetch their names once (at most 50, as the API allows).
  const unknown = selected.filter((id) => !known[id] && !looked[id]).slice(0, 50);
  const unknownKey = unknown.join(",");
  useEffect(() => {
    if (!unknownKey) return;
    const controller = new AbortController();
    client.lookupGroups(unknownKey.split(","), controller.signal).then(
      (page) => setLooked((prev) => ({ ...prev, ...Object.fromEntries(page.items.map((g) => [g.id, g])) })),
      () => {}, // Ids stay visible; the picker still works.
    );
    return () => controller.abort();
  }, [client, unknownKey]);

  useEffect(() => {
    const q = query.trim();
    if (q.length < MIN_CHARS) {
      setState("idle");
      setHits([]);
      return;
    }
    const controller = new AbortController();
    setState("searching");
    const timer = setTimeout(() => {
      client.searchGroups(q, controller.signal).then(
        (page) => {
          setHits(page.items);
          setState("done");
        },
        (err: unknown) => {
          if (controller.signal.aborted) return;
          setSearchError(toApiError(err));
          setState("error");
        },
      );
    }, 300);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [client, query]);

  const options = hits.filter((h) => !selected.includes(h.id));
  const note =
    state === "idle"
      ? `Type at least ${MIN_CHARS} characters to search`
      : state === "searching"
        ? "Searching…"
        : state === "error"
          ? `${searchError?.message ?? "Search failed"}. ${searchError?.remedy ?? ""}`
          : options.length === 0
            ? "No groups match"
            : undefined;

  const describe = (g: GroupHit) =>
    `${groupTypeLabel(g)}${g.memberCount !== undefined && g.memberCount !== null ? ` · ${formatCount(g.memberCount)} members` : ""}`;

  return (
    <Field label={label} hint={hint} validationState={error ? "error" : "none"} validationMessage={error}>
      <TagPicker
        selectedOptions={selected}
        disabled={disabled}
        onOptionSelect={(_, data) => {
          if (data.value === NOTE) return;
          setQuery("");
          onChange(data.selectedOptions, hits);
        }}
      >
        <TagPickerControl>
          <TagPickerGroup aria-label="Selected groups">
            {selected.map((id) => {
              const g = names[id];
              return (
                <Tag
                  key={id}
                  value={id}
                  shape="rounded"
                  media={<PeopleTeam20Regular />}
                  secondaryText={g ? describe(g) : undefined}
                >
                  {g?.displayName ?? id}
                </Tag>
              );
            })}
          </TagPickerGroup>
          <TagPickerInput aria-label={label} value={query} onChange={(e) => setQuery(e.target.value)} />
        </TagPickerControl>
        <TagPickerList>
          {note ? (
            <TagPickerOption value={NOTE} aria-disabled>
              {note}
            </TagPickerOption>
          ) : (
            options.map((g) => (
              <TagPickerOption
                key={g.id}
                value={g.id}
                text={g.displayName}
                media={<PeopleTeam20Regular aria-hidden />}
                secondaryContent={describe(g)}
              >
                {g.displayName}
              </TagPickerOption>
            ))
          )}
        </TagPickerList>
      </TagPicker>
    </Field>
  );
}
