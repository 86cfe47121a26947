import type { Pagination, PaginationLink } from '../protocol/index.js';
import { problems } from './problem.js';

export interface PageQuery<S extends string> {
  sortBy: S;
  sortOrder: 'asc' | 'desc';
  currentPage: number;
  pageSize: number;
}

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;
const MAX_PAGE = 1_000_000_000;

function positiveInt(url: URL, name: string, fallback: number, max: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  if (!/^[0-9]{1,10}$/.test(raw)) throw problems.invalidQuery(name, `${name} must be a whole number.`);
  const value = Number(raw);
  if (value < 1 || value > max) throw problems.invalidQuery(name, `${name} must be between 1 and ${max}.`);
  return value;
}

/**
 * Reads `sortBy`, `sortOrder`, `currentPage`, `pageSize`; anything else is the caller's.
 * Defaults: the first sort field, `desc` (newest first, as the reference examples list them), page 1, 25 a page.
 */
export function parsePageQuery<S extends string>(url: URL, sortFields: readonly S[]): PageQuery<S> {
  const sortBy = url.searchParams.get('sortBy') ?? sortFields[0];
  if (!(sortFields as readonly string[]).includes(sortBy)) {
    throw problems.invalidQuery('sortBy', `sortBy must be one of: ${sortFields.join(', ')}.`);
  }
  const sortOrder = url.searchParams.get('sortOrder') ?? 'desc';
  if (sortOrder !== 'asc' && sortOrder !== 'desc') {
    throw problems.invalidQuery('sortOrder', 'sortOrder must be asc or desc.');
  }
  return {
    sortBy: sortBy as S,
    sortOrder,
    currentPage: positiveInt(url, 'currentPage', 1, MAX_PAGE),
    pageSize: positiveInt(url, 'pageSize', DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
  };
}

/** The `pagination` object; every link keeps the request's other query parameters. */
export function buildPagination(
  url: URL,
  total: number,
  currentPage: number,
  pageSize: number,
  itemsOnPage: number,
): Pagination {
  const pagesTotal = Math.max(1, Math.ceil(total / pageSize));
  const uri = (page: number): string => {
    const params = new URLSearchParams();
    for (const [key, value] of url.searchParams) {
      if (key !== 'currentPage' && key !== 'pageSize') params.append(key, value);
    }
    params.set('currentPage', String(page));
    params.set('pageSize', String(pageSize));
    return `${url.pathname}?${params}`;
  };
  const links: PaginationLink[] = [
    { rel: 'self', uri: uri(currentPage) },
    { rel: 'first', uri: uri(1) },
  ];
  if (currentPage > 1) links.push({ rel: 'previous', uri: uri(Math.min(currentPage - 1, pagesTotal)) });
  if (currentPage < pagesTotal) links.push({ rel: 'next', uri: uri(currentPage + 1) });
  links.push({ rel: 'last', uri: uri(pagesTotal) });
  return { itemsTotal: total, pagesTotal, pageSize, currentPage, currentPageItems: itemsOnPage, links };
}
