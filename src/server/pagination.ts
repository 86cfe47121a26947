import type { Pagination, PaginationLink } from '../protocol/index.js';
import { problemList, type ProblemItem } from './problem.js';

export interface PageQuery<S extends string> {
  sortBy: S;
  sortOrder: 'asc' | 'desc';
  currentPage: number;
  pageSize: number;
}

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;
const MAX_PAGE = 1_000_000_000;

const QUERY = 'request-invalid-query-parameter';

function positiveInt(url: URL, name: string, fallback: number, max: number, found: ProblemItem[]): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  if (!/^[0-9]{1,10}$/.test(raw)) {
    found.push({
      slug: QUERY,
      title: 'A query parameter is invalid.',
      name,
      detail: `${name} must be a whole number.`,
    });
    return fallback;
  }
  const value = Number(raw);
  if (value < 1 || value > max) {
    found.push({
      slug: QUERY,
      title: 'This parameter is out of the allowed range of values.',
      name,
      range: { min: 1, max },
    });
    return fallback;
  }
  return value;
}

/**
 * Reads `sortBy`, `sortOrder`, `currentPage`, `pageSize`; anything else is the caller's, which may
 * pass the problems it found in its own parameters: every bad parameter is listed in one 400.
 * Defaults: the first sort field, `desc` (newest first, as the reference examples list them), page 1, 25 a page.
 */
export function parsePageQuery<S extends string>(
  url: URL,
  sortFields: readonly S[],
  found: ProblemItem[] = [],
): PageQuery<S> {
  const sortBy = url.searchParams.get('sortBy') ?? sortFields[0];
  if (!(sortFields as readonly string[]).includes(sortBy)) {
    found.push({
      slug: QUERY,
      title: 'A query parameter is invalid.',
      name: 'sortBy',
      detail: `sortBy must be one of: ${sortFields.join(', ')}.`,
    });
  }
  const sortOrder = url.searchParams.get('sortOrder') ?? 'desc';
  if (sortOrder !== 'asc' && sortOrder !== 'desc') {
    found.push({
      slug: QUERY,
      title: 'A query parameter is invalid.',
      name: 'sortOrder',
      detail: 'sortOrder must be asc or desc.',
    });
  }
  const query = {
    sortBy: sortBy as S,
    sortOrder: sortOrder as 'asc' | 'desc',
    currentPage: positiveInt(url, 'currentPage', 1, MAX_PAGE, found),
    pageSize: positiveInt(url, 'pageSize', DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, found),
  };
  if (found.length) throw problemList(found);
  return query;
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
