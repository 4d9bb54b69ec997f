import {
  type Theme,
  teamsDarkTheme,
  teamsHighContrastTheme,
  teamsLightTheme,
  webDarkTheme,
  webLightTheme,
} from "@fluentui/react-components";
import { useEffect, useState } from "react";
import type { TeamsHost, TeamsTheme } from "../teams/host.ts";

export type ThemeName = "teams-light" | "teams-dark" | "teams-contrast" | "web-light" | "web-dark";

/**
 * Which theme to use. `?theme=` wins (tests take screenshots with it); inside Teams the Teams theme;
 * standalone the system's light/dark preference.
 */
export function chooseTheme(input: {
  query: string | null;
  teams: TeamsTheme | null;
  prefersDark: boolean;
}): ThemeName {
  const family = input.teams ? "teams" : "web";
  if (input.query === "dark" || input.query === "light") return `${family}-${input.query}`;
  if (input.query === "contrast") return "teams-contrast";
  if (input.teams === "dark") return "teams-dark";
  if (input.teams === "contrast") return "teams-contrast";
  if (input.teams === "default") return "teams-light";
  return input.prefersDark ? "web-dark" : "web-light";
}

export const THEMES: Record<ThemeName, Theme> = {
  "teams-light": teamsLightTheme,
  "teams-dark": teamsDarkTheme,
  "teams-contrast": teamsHighContrastTheme,
  "web-light": webLightTheme,
  "web-dark": webDarkTheme,
};

const darkQuery = "(prefers-color-scheme: dark)";

/** The current theme name, following Teams' theme changes or the system preference as it changes. */
export function useThemeName(teams: TeamsHost | null): ThemeName {
  const query = new URLSearchParams(window.location.search).get("theme");
  const [teamsTheme, setTeamsTheme] = useState<TeamsTheme | null>(teams?.theme ?? null);
  const [prefersDark, setPrefersDark] = useState(() => window.matchMedia?.(darkQuery).matches ?? false);

  useEffect(() => {
    if (!teams) return;
    teams.onThemeChange(setTeamsTheme);
  }, [teams]);

  useEffect(() => {
    const mq = window.matchMedia?.(darkQuery);
    if (!mq) return;
    const onChange = (e: MediaQueryListEvent) => setPrefersDark(e.matches);
    mq.addEventListener("change", onChange);
    return () => mq.removeEventListener("change", onChange);
  }, []);

  return chooseTheme({ query, teams: teamsTheme, prefersDark });
}
