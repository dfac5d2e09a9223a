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
