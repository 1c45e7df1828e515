/*
 * Mounts its children only once they scroll into view, wrapped for Reflex by pages/when_visible.py. Until then it is
 * an empty box of minHeight, so nothing below it moves when the children appear. Used for heavy parts below the
 * fold (the charts of 经营数据): the first load renders and paints only what is on the screen.
 */
import { useInView } from "react-intersection-observer";

export function WhenVisible({ children, minHeight, ...props }) {
  // triggerOnce: once mounted, children stay mounted (scrolling away does not throw the chart away).
  const { ref, inView } = useInView({ triggerOnce: true });
  return (
    <div ref={ref} style={{ minHeight, width: "100%" }} {...props}>
      {inView ? children : null}
    </div>
  );
}
