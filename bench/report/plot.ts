/**
 * Line charts of benchmark results as SVG text: a vega-lite spec compiled to vega and rendered headless with
 * `View.toSVG()` (no browser, no `canvas` package: text widths are estimated). Builds the spec and draws; it
 * reads and writes no files.
 */
import { parse, View } from 'vega'
import { compile, type TopLevelSpec } from 'vega-lite'

/** One named line: its points are drawn in the order given. */
export interface Series {
  name: string
  points: ReadonlyArray<{ x: number, y: number }>
}

/** An axis: its title and whether its scale is logarithmic (every value on it must then be > 0). */
export interface AxisSpec {
  label: string
  log?: boolean
}

/** What to draw: series as coloured lines with markers, targets as dashed horizontal lines with a label. */
export interface ChartSpec {
  title: string
  x: AxisSpec
  y: AxisSpec
  series: readonly Series[]
  targets?: ReadonlyArray<{ y: number, label: string }>
}

/** Size of the whole SVG in pixels: the plot area shrinks to fit axes, legend and title inside it. */
const WIDTH = 640
const HEIGHT = 360
const TARGET_COLOR = '#666'

/**
 * Renders `spec` as an SVG document.
 *
 * @throws RangeError if there is no point at all, a value is not finite, or a log axis gets a value <= 0:
 *   a log scale would silently drop it, and a chart with a missing point misleads.
 */
export async function renderLineChart (spec: ChartSpec): Promise<string> {
  checkChart(spec)
  const view = new View(parse(compile(toVegaLite(spec)).spec), { renderer: 'none' })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}

function toVegaLite (spec: ChartSpec): TopLevelSpec {
  const points = spec.series.flatMap((series) => series.points.map((point) => ({ series: series.name, x: point.x, y: point.y })))
  const targets = (spec.targets ?? []).map((target) => ({ y: target.y, label: target.label }))
  const x = { field: 'x', type: 'quantitative', title: spec.x.label, scale: spec.x.log === true ? { type: 'log' as const } : { zero: false } } as const
  const y = { field: 'y', type: 'quantitative', title: spec.y.label, scale: spec.y.log === true ? { type: 'log' as const } : { zero: true } } as const
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: spec.title,
    width: WIDTH,
    height: HEIGHT,
    autosize: { type: 'fit', contains: 'padding' },
    background: 'white',
    layer: [
      {
        data: { values: points },
        mark: { type: 'line', point: true },
        encoding: {
          x,
          y,
          // Legend in the caller's series order, not alphabetical.
          color: {
            field: 'series',
            type: 'nominal',
            title: null,
            scale: { domain: spec.series.map((series) => series.name) },
            // Below the plot, names in full: series names carry what was measured and how.
            legend: { orient: 'bottom', direction: 'vertical', columns: 2, labelLimit: 0 }
          },
          // Lines join points in the order given, not sorted by x, so a series may double back.
          order: { field: 'index', type: 'quantitative' }
        },
        transform: [{ window: [{ op: 'row_number', as: 'index' }], groupby: ['series'] }]
      },
      // Targets: a dashed rule across the plot and its label at the left end, just above the rule.
      { data: { values: targets }, mark: { type: 'rule', strokeDash: [6, 4], color: TARGET_COLOR }, encoding: { y } },
      {
        data: { values: targets },
        mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 4, dy: -3, color: TARGET_COLOR },
        encoding: { y, x: { value: 0 }, text: { field: 'label', type: 'nominal' } }
      }
    ]
  }
}

function checkChart (spec: ChartSpec): void {
  let count = 0
  for (const series of spec.series) {
    for (const point of series.points) {
      checkValue(point.x, spec.x, `series \`${series.name}\` x`)
      checkValue(point.y, spec.y, `series \`${series.name}\` y`)
      count++
    }
  }
  if (count === 0) throw new RangeError(`Expected chart \`${spec.title}\` to have at least one point, got none`)
  for (const target of spec.targets ?? []) checkValue(target.y, spec.y, `target \`${target.label}\` y`)
}

function checkValue (value: number, axis: AxisSpec, what: string): void {
  if (!Number.isFinite(value)) throw new RangeError(`Expected ${what} to be a finite number, got ${value}`)
  if (axis.log === true && value <= 0) throw new RangeError(`Expected ${what} to be > 0 on the log axis \`${axis.label}\`, got ${value}`)
}
