import { useEffect, useRef } from "react";

/** How long a screen still loading may take to show its heading before focus stays on the main region. */
const HEADING_WAIT_MS = 3000;

/**
 * After a change of screen, focus goes to the new screen's main heading, so a keyboard or screen reader user
 * starts reading the new screen instead of at `<body>` (where the removed screen's focused link left them).
 * Until a loading screen shows its heading, the main region holds focus. A screen that focused something
 * itself (a search box) keeps it, and the first screen after opening the tab takes no focus.
 */
export function useScreenFocus(screen: string): void {
  const shown = useRef(screen);
  useEffect(() => {
    if (shown.current === screen) return;
    shown.current = screen;
    const main = document.getElementById("main");
    if (!main) return;
    const chosenByScreen = () => {
      const active = document.activeElement;
      return !!active && active !== main && active !== document.body && main.contains(active);
    };
    if (chosenByScreen()) return;
    const focusHeading = () => {
      const heading = main.querySelector<HTMLElement>("h1");
      if (!heading) return false;
      if (!heading.hasAttribute("tabindex")) heading.tabIndex = -1;
      heading.focus();
      return true;
    };
    if (focusHeading()) return;
    main.focus();
    const watch = new MutationObserver(() => {
      if (document.activeElement !== main) watch.disconnect();
      else if (focusHeading()) watch.disconnect();
    });
    watch.observe(main, { childList: true, subtree: true });
    const stop = window.setTimeout(() => watch.disconnect(), HEADING_WAIT_MS);
    return () => {
      watch.disconnect();
      window.clearTimeout(stop);
    };
  }, [screen]);
}
