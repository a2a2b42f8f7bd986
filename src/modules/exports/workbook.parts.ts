// The parts of the day's .xlsx besides the rows: the package files that never change, and the sheet's head
// (views, column widths, header row) and footer (the filter over the data rows, page setup). The sheet part
// is head + rows + footer; only the footer depends on how many rows there are, so rows can be appended.
import { escapeXml, headerRowXml, LAST_COLUMN_LETTER } from './workbook.cells.js';
import { NUMBER_FORMATS, WORKBOOK_COLUMNS } from './workbook.columns.js';

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PACKAGE_REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const CONTENT_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml';

export const SHEET_PART = 'xl/worksheets/sheet1.xml';
export const SHEET_NAME = 'Orders';

function contentTypes(): string {
  return (
    `${XML_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
    '<Default Extension="xml" ContentType="application/xml"/>' +
    `<Override PartName="/xl/workbook.xml" ContentType="${CONTENT_TYPE}.sheet.main+xml"/>` +
    `<Override PartName="/${SHEET_PART}" ContentType="${CONTENT_TYPE}.worksheet+xml"/>` +
    `<Override PartName="/xl/styles.xml" ContentType="${CONTENT_TYPE}.styles+xml"/>` +
    '</Types>'
  );
}

function packageRels(): string {
  return (
    `${XML_DECLARATION}<Relationships xmlns="${PACKAGE_REL_NS}">` +
    `<Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`
  );
}

function workbookXml(): string {
  return (
    `${XML_DECLARATION}<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">` +
    `<sheets><sheet name="${escapeXml(SHEET_NAME)}" sheetId="1" r:id="rId1"/></sheets></workbook>`
  );
}

function workbookRels(): string {
  return (
    `${XML_DECLARATION}<Relationships xmlns="${PACKAGE_REL_NS}">` +
    `<Relationship Id="rId1" Type="${REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>` +
    `<Relationship Id="rId2" Type="${REL_NS}/styles" Target="styles.xml"/></Relationships>`
  );
}

/** cellXfs: 0 General, 1 bold header, 2 date, 3 money, 4 number (workbook.cells.ts refers to these). */
function styles(): string {
  const formats = [NUMBER_FORMATS.date, NUMBER_FORMATS.money, NUMBER_FORMATS.number];
  const numFmts = formats
    .map((format, i) => `<numFmt numFmtId="${164 + i}" formatCode="${escapeXml(format ?? 'General')}"/>`)
    .join('');
  const xf = (numFmtId: number, fontId: number) =>
    `<xf numFmtId="${numFmtId}" fontId="${fontId}" fillId="0" borderId="0" xfId="0"` +
    `${fontId > 0 ? ' applyFont="1"' : ''}${numFmtId > 0 ? ' applyNumberFormat="1"' : ''}/>`;
  return (
    `${XML_DECLARATION}<styleSheet xmlns="${MAIN_NS}">` +
    `<numFmts count="${formats.length}">${numFmts}</numFmts>` +
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>' +
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>' +
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
    `<cellXfs count="5">${xf(0, 0)}${xf(0, 1)}${xf(164, 0)}${xf(165, 0)}${xf(166, 0)}</cellXfs>` +
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
  );
}

/** The package's unchanging parts, in the order they are stored (the sheet comes after them, last). */
export function fixedParts(): Array<{ name: string; text: string }> {
  return [
    { name: '[Content_Types].xml', text: contentTypes() },
    { name: '_rels/.rels', text: packageRels() },
    { name: 'xl/workbook.xml', text: workbookXml() },
    { name: 'xl/_rels/workbook.xml.rels', text: workbookRels() },
    { name: 'xl/styles.xml', text: styles() },
  ];
}

/** Everything before the first order's row: a frozen header row, the column widths, the header itself. */
export function sheetHead(): string {
  const cols = WORKBOOK_COLUMNS.map(
    (column, i) => `<col min="${i + 1}" max="${i + 1}" width="${column.width}" customWidth="1"/>`,
  ).join('');
  return (
    `${XML_DECLARATION}<worksheet xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">` +
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' +
    '<selection pane="bottomLeft"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>' +
    `<cols>${cols}</cols><sheetData>${headerRowXml()}`
  );
}

/** Everything after the last row; the filter spans the header and the `rows` data rows. */
export function sheetFooter(rows: number): string {
  return (
    `</sheetData><autoFilter ref="A1:${LAST_COLUMN_LETTER}${rows + 1}"/>` +
    '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
  );
}
