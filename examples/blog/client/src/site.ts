// The site's stylesheet, as a Vite entry every page loads (`Page::module("src/site.ts")` in the layout).
import "./site.css";
