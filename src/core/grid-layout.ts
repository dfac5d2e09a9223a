/**
 * Picks the grid for a number of tiles in a box: the column count that makes
 * tiles (at a fixed aspect ratio) as large as possible. Pure, table-tested.
 */
export interface GridLayout {
  columns: number;
  rows: number;
  /** Tile size in CSS pixels. */
  tileWidth: number;
  tileHeight: number;
}

export function chooseGridLayout(
  count: number,
  width: number,
  height: number,
  aspectRatio = 16 / 9,
  gap = 8,
): GridLayout {
  if (count <= 0 || width <= 0 || height <= 0) {
    return { columns: 0, rows: 0, tileWidth: 0, tileHeight: 0 };
  }
  let best: GridLayout = { columns: 1, rows: count, tileWidth: 0, tileHeight: 0 };
  for (let columns = 1; columns <= count; columns++) {
    const rows = Math.ceil(count / columns);
    const cellWidth = (width - gap * (columns - 1)) / columns;
    const cellHeight = (height - gap * (rows - 1)) / rows;
    if (cellWidth <= 0 || cellHeight <= 0) continue;
    const tileWidth = Math.min(cellWidth, cellHeight * aspectRatio);
    const tileHeight = tileWidth / aspectRatio;
    if (tileWidth > best.tileWidth) {
      best = { columns, rows, tileWidth: Math.floor(tileWidth), tileHeight: Math.floor(tileHeight) };
    }
  }
  return best;
}

/** A grid shown a page at a time: how many tiles a page holds, how many pages, and the grid of a full page. */
export interface PagedGrid {
  perPage: number;
  pages: number;
  layout: GridLayout;
}

/**
 * Pages for `count` tiles in a box, so that no tile is narrower than
 * `minTileWidth` (a readable size): all on one page when they fit, otherwise
 * as many per page as fit at that size (at least one). Pure, table-tested.
 */
export function pageGrid(
  count: number,
  width: number,
  height: number,
  options: { minTileWidth?: number; aspectRatio?: number; gap?: number } = {},
): PagedGrid {
  const { minTileWidth = 160, aspectRatio = 16 / 9, gap = 8 } = options;
  if (count <= 0 || width <= 0 || height <= 0) return { perPage: Math.max(0, count), pages: count > 0 ? 1 : 0, layout: chooseGridLayout(count, width, height, aspectRatio, gap) };
  let perPage = count;
  let layout = chooseGridLayout(count, width, height, aspectRatio, gap);
  while (perPage > 1 && layout.tileWidth < minTileWidth) {
    perPage -= 1;
    layout = chooseGridLayout(perPage, width, height, aspectRatio, gap);
  }
  return { perPage, pages: Math.ceil(count / perPage), layout };
}
