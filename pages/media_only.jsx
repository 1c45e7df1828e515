/*
 * Renders its children only while the CSS media query `query` matches, wrapped for Reflex by pages/media_only.py.
 * Unlike `display: none`, the parts for the other screen size are never rendered at all.
 */
import { useCallback, useSyncExternalStore } from "react";

export function MediaOnly({ query, children }) {
  const subscribe = useCallback((onChange) => {
    const list = window.matchMedia(query);
    list.addEventListener("change", onChange);
    return () => list.removeEventListener("change", onChange);
  }, [query]);
  const matches = useSyncExternalStore(subscribe, () => window.matchMedia(query).matches, () => false);
  return matches ? children : null;
}
