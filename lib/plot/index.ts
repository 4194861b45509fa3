/**
 * lib/plot — figures for the study, as pure data.
 *   figures:   Figure = plotly JSON {data, layout}; builders turn a results table into figures (pure functions)
 *   notebooks: show(fig) (interactive plotly + static PNG + text), showTable(rows)
 *   files:     exportFigures(figs, outDir, {formats: ["html", "png", "svg"]}) with one headless chromium
 */
export { type Figure, type Trace, type Layout, describeFigure, assertFigure, figureSize, MAX_FIGURE_WIDTH } from "./figure";
export { type ResultRow, type IntrinsicMetric, type Baseline, INTRINSIC_METRICS, METRIC_LABELS, assertResultRows, isBaseline, methodColor } from "./results";
export { metricVsStrength, tradeoffScatter } from "./intrinsic";
export {
  aurocByConfiguration, hmVsAuroc, correlationHeatmap, intrinsicAurocCorrelations, rankCorrelation,
  type CorrelationCell, type RankCorrelation,
} from "./extrinsic";
export { exampleGenerationRows, generationsFromResults, type GenerationExample, type ExampleRow, type StrengthLevel, type RowWithExamples } from "./examples";
export { type Row, type TableOptions, tableHtml, tableText, tableFigure, formatCell } from "./table";
export { tokenHeatHtml, tokenHeatText, type TokenHeatOptions } from "./tokens";
export { show, showTable, showTokens, figureBundle, liveBundle, fitFigure, closeRenderer, PLOTLY_MIME, TABLE_MAX_HEIGHT_PX, type ShowOptions, type MimeBundle } from "./notebook";
export { exportFigures, type ExportFormat, type ExportOptions, type NamedFigure } from "./export";
export { figureHtml, type HtmlPlotly } from "./html";
export { FigureRenderer, withRenderer, chromiumAvailable, chromiumPath, plotlyBundlePath, type ImageFormat } from "./render";
export { studyFigures } from "./study";
export { reliabilityDiagram } from "./reliability";
export { analysisFigures, aurocTrackingFigure, strengthTrendFigure, tunedVsGridFigure, tuningCurveFigure } from "./analysis";
