"""JSON and file routes served beside the Reflex app on the same port.

Staff are identified by the session cookie the sign-in sets; photos and QR images go only to signed-in staff, and
photos come in one per request from the photo control (progress and retry need a plain HTTP upload).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote, unquote

from sqlmodel import Session
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from lantong_pwa import web_session
from lantong_pwa.db import get_engine, read_scope, unit_of_work
from lantong_pwa.errors import DomainError, NotFound, PermissionDenied
from lantong_pwa.request_body import BodyTooLarge, bounded_body
from lantong_pwa.services.care import churn
from lantong_pwa.services.parts import catalogue_import, stock_report
from lantong_pwa.services.finance import ageing, collecting, expenses, invoices, payables, statements
from lantong_pwa.services.platform import auth
from lantong_pwa.services.workshop import job_clock, photos, reports, vehicles
from lantong_pwa.services.platform.health import health
from lantong_pwa.services.platform.parsing import parse_date, parse_int
from lantong_pwa.services.workshop.vehicle_cards import qr_png
from lantong_pwa.timezone import local_day
from models import Direction, PartyKind, Photo, User
from models.common import utc_now

# Authenticated images must not outlive a sign-out in the browser's cache (shared workshop tablets).
PRIVATE = {"Cache-Control": "private, no-store"}


def _error(error: DomainError) -> JSONResponse:
    status = 401 if isinstance(error, PermissionDenied) and error.message == "请先登录" else (
        403 if isinstance(error, PermissionDenied) else 404 if isinstance(error, NotFound) else 400)
    return JSONResponse({"error": error.message}, status_code=status, headers=PRIVATE)


def health_route(_request: Request) -> JSONResponse:
    report = health(get_engine())
    return JSONResponse(report, status_code=200 if report["status"] == "ok" else 503)


def photo_route(request: Request, *, thumbnail: bool = False) -> Response:
    try:
        with read_scope() as session:
            actor = auth.user_for_token(session, request.cookies.get(auth.SESSION_COOKIE))
            path = photos.photo_file(session, actor, request.path_params["photo_id"], thumbnail=thumbnail)
    except DomainError as error:
        return _error(error)
    return FileResponse(path, media_type="image/jpeg", headers=PRIVATE)


def qr_route(request: Request) -> Response:
    try:
        with read_scope() as session:
            actor = auth.user_for_token(session, request.cookies.get(auth.SESSION_COOKIE))
            match = vehicles.vehicle_by_token(session, actor, request.path_params["token"])
    except DomainError as error:
        return _error(error)
    return Response(qr_png(match.vehicle.qr_token), media_type="image/png", headers=PRIVATE)


async def _photo_body(request: Request) -> bytes | JSONResponse:
    """The request body, or the refusal as soon as it is over the photo size limit or has taken too long."""
    return await _capped_body(request, photos.MAX_UPLOAD_BYTES, "照片不能超过15MB")


async def _capped_body(request: Request, limit: int, too_big_message: str) -> bytes | JSONResponse:
    """The request body, or the refusal as soon as it is over ``limit`` bytes or has taken too long."""
    try:
        return await bounded_body(request, limit)
    except BodyTooLarge:
        return JSONResponse({"error": too_big_message}, status_code=413, headers=PRIVATE)
    except TimeoutError:
        return JSONResponse({"error": "上传超时，请检查网络后重试"}, status_code=408,
                            headers={**PRIVATE, "Connection": "close"})


async def _photo_upload(request: Request, store: Callable[[Session, User | None, bytes, str | None], Photo]):
    """One photo as the raw request body (sent by ``pages/photo_capture.jsx``), stored with ``store``; the
    ``X-Photo-Key`` header names the shot, so a resend returns the photo already stored. Answers ``{"id": …}``."""
    data = await _photo_body(request)
    if isinstance(data, Response):
        return data
    key = request.headers.get("x-photo-key") or None

    def stored_id() -> int:
        with unit_of_work() as session:
            actor = auth.user_for_token(session, request.cookies.get(auth.SESSION_COOKIE))
            return store(session, actor, data, key).id

    try:
        photo_id = await run_in_threadpool(stored_id)
    except DomainError as error:
        return _error(error)
    return JSONResponse({"id": photo_id}, headers=PRIVATE)


async def order_photo_upload_route(request: Request) -> Response:
    """``POST /api/orders/<id>/photos``: a walk-around photo at intake."""
    order_id = request.path_params["order_id"]
    return await _photo_upload(request, lambda session, actor, data, key: photos.add_order_photo(
        session, actor, order_id, data, client_key=key))


async def line_photo_upload_route(request: Request) -> Response:
    """``POST /api/job-lines/<id>/photos``: a technician's photo at a job line."""
    line_id = request.path_params["line_id"]
    return await _photo_upload(request, lambda session, actor, data, key: job_clock.add_line_photo(
        session, actor, line_id, data, client_key=key))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(data: bytes, name: str) -> Response:
    """An Excel download with a Chinese file name (RFC 5987 ``filename*``, plus an ASCII fallback)."""
    filename = f"{name}_{local_day(utc_now()):%Y%m%d}.xlsx"
    disposition = f"attachment; filename=\"report.xlsx\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, media_type=XLSX, headers={**PRIVATE, "Content-Disposition": disposition})


def orders_export_route(request: Request) -> Response:
    """``/api/reports/orders.xlsx?number=&plate=&from=&to=&status=&technician=&part=``: the order search."""
    try:
        with read_scope() as session:
            actor = auth.user_for_token(session, request.cookies.get(auth.SESSION_COOKIE))
            hits = reports.search_orders(session, actor, **reports.order_filters(request.query_params),
                                         limit=reports.EXPORT_LIMIT)
            data = reports.export_xlsx(reports.order_table(hits), reports.ORDER_HEADERS, "工单查询")
    except DomainError as error:
        return _error(error)
    return _xlsx(data, "工单查询")


def technicians_export_route(request: Request) -> Response:
    """``/api/reports/technicians.xlsx?from=&to=``: the technician performance report."""
    try:
        with read_scope() as session:
            actor = auth.user_for_token(session, request.cookies.get(auth.SESSION_COOKIE))
            rows = reports.technician_performance(session, actor, *reports.report_dates(request.query_params))
            data = reports.export_xlsx(reports.technician_table(rows), reports.TECHNICIAN_HEADERS, "技师绩效")
    except DomainError as error:
        return _error(error)
    return _xlsx(data, "技师绩效")


def churn_export_route(request: Request) -> Response:
    """``/api/reports/churn.xlsx``: every customer's recency, frequency, spending and segment, those at risk first."""
    try:
        with read_scope() as session:
            actor = auth.user_for_token(session, request.cookies.get(auth.SESSION_COOKIE))
            analysis = churn.churn_analysis(session, actor, local_day(utc_now()))
            data = reports.export_xlsx(churn.churn_table(analysis), churn.CHURN_HEADERS, "客户流失分析")
    except DomainError as error:
        return _error(error)
    return _xlsx(data, "客户流失分析")


async def import_upload_route(request: Request) -> Response:
    """``POST /api/imports``: a spreadsheet for 导入 as the raw body (at most 20MB), kept for its sender's dry run
    and commit; answers ``{"token": …}``."""
    data = await _capped_body(request, catalogue_import.MAX_UPLOAD_BYTES, "文件不能超过20MB")
    if isinstance(data, Response):
        return data
    filename = unquote(request.headers.get("x-file-name", ""))[:100]

    def stored() -> str:
        with read_scope() as session:
            actor = auth.user_for_token(session, request.cookies.get(auth.SESSION_COOKIE))
            return catalogue_import.store_upload(actor, data, filename)

    try:
        token = await run_in_threadpool(stored)
    except DomainError as error:
        return _error(error)
    return JSONResponse({"token": token}, headers=PRIVATE)


def import_template_route(request: Request) -> Response:
    """``/api/imports/<kind>/template.xlsx``: the empty sheet to fill in for 导入."""
    try:
        with read_scope() as session:
            actor = auth.user_for_token(session, request.cookies.get(auth.SESSION_COOKIE))
            kind, data = catalogue_import.template_for(actor, request.path_params["kind"])
    except DomainError as error:
        return _error(error)
    return _xlsx(data, f"{kind.label}导入模板")


def stock_ledger_route(request: Request) -> Response:
    """``/api/parts/ledger.xlsx?from=&to=&warehouse=&q=&category=``: the 进销存 summary, every part and the totals."""
    try:
        with read_scope() as session:
            actor = auth.user_for_token(session, request.cookies.get(auth.SESSION_COOKIE))
            report = stock_report.summary(session, actor, **stock_report.summary_filters(request.query_params))
            data = stock_report.summary_xlsx(report)
    except DomainError as error:
        return _error(error)
    return _xlsx(data, f"进销存_{report.period.date_from:%Y%m%d}-{report.period.date_to:%Y%m%d}")


def payables_ageing_route(request: Request) -> Response:
    """``/api/payables/ageing.xlsx``: every supplier owed, by ageing bucket, and the total."""
    try:
        with read_scope() as session:
            actor = auth.user_for_token(session, request.cookies.get(auth.SESSION_COOKIE))
            rows, total = payables.supplier_ageing(session, actor, local_day(utc_now()))
            data = reports.export_xlsx(payables.ageing_table(rows, total), payables.AGEING_HEADERS, "应付账龄")
    except DomainError as error:
        return _error(error)
    return _xlsx(data, "应付账龄")


def payables_statement_route(request: Request) -> Response:
    """``/api/payables/<supplier id>/statement.xlsx?from=&to=``: the supplier's 对账单."""
    try:
        with read_scope() as session:
            actor = auth.user_for_token(session, request.cookies.get(auth.SESSION_COOKIE))
            period = payables.statement_period(
                parse_date(request.query_params.get("from", ""), "from", "开始日期"),
                parse_date(request.query_params.get("to", ""), "to", "结束日期"), local_day(utc_now()))
            sheet = payables.supplier_statement(session, actor, request.path_params["supplier_id"], *period)
            data = reports.export_xlsx(payables.statement_table(sheet), payables.STATEMENT_HEADERS, "对账单")
    except DomainError as error:
        return _error(error)
    return _xlsx(data, f"对账单_{sheet.name}")


def ageing_route(request: Request) -> Response:
    """``/api/ageing.xlsx?kind=&direction=``: the ageing of every party (of that kind, facing that way), and the
    total; without a direction, the ones the person may see."""
    try:
        with read_scope() as session:
            actor = auth.user_for_token(session, request.cookies.get(auth.SESSION_COOKIE))
            kind, direction = request.query_params.get("kind", ""), request.query_params.get("direction", "")
            if kind not in {k.value for k in PartyKind} | {""} or direction not in {d.value for d in Direction} | {""}:
                raise NotFound("没有这类往来单位")
            rows, total = ageing.ageing(session, actor, local_day(utc_now()), party_kind=kind or None,
                                        direction=direction or None)
            data = reports.export_xlsx(ageing.ageing_table(rows, total), ageing.AGEING_HEADERS, "账龄")
    except DomainError as error:
        return _error(error)
    return _xlsx(data, "往来账龄")


def receivable_statement_route(request: Request) -> Response:
    """``/api/receivables/<kind>/<id>/statement.xlsx?from=&to=``: a customer's, insurer's or manufacturer's 对账单."""
    try:
        with read_scope() as session:
            actor = auth.user_for_token(session, request.cookies.get(auth.SESSION_COOKIE))
            period = statements.statement_period(
                parse_date(request.query_params.get("from", ""), "from", "开始日期"),
                parse_date(request.query_params.get("to", ""), "to", "结束日期"), local_day(utc_now()))
            sheet = collecting.statement(session, actor, request.path_params["kind"],
                                          request.path_params["party_id"], *period)
            data = reports.export_xlsx(statements.statement_table(sheet), statements.headers(sheet.direction),
                                       "对账单")
    except DomainError as error:
        return _error(error)
    return _xlsx(data, f"对账单_{sheet.name}")


def expense_statistics_route(request: Request) -> Response:
    """``/api/expenses/statistics.xlsx?year=``: each expense category per month of the year, and the totals."""
    try:
        with read_scope() as session:
            actor = auth.user_for_token(session, request.cookies.get(auth.SESSION_COOKIE))
            year = parse_int(request.query_params.get("year", "") or str(local_day(utc_now()).year), "year", "年份",
                             minimum=2000, maximum=2100)
            report = expenses.statistics(session, actor, year)
            data = reports.export_xlsx(expenses.statistics_table(report), expenses.STATISTICS_HEADERS, "费用统计")
    except DomainError as error:
        return _error(error)
    return _xlsx(data, f"费用统计_{year}")


def not_invoiced_route(request: Request, *, issued: bool) -> Response:
    """``/api/invoices/not-issued.xlsx`` and ``/api/invoices/not-received.xlsx?from=&to=&party=``: what is not yet
    invoiced to customers (by settlement share) or by suppliers (by goods receipt), with the total."""
    title = "未开票" if issued else "未收票"
    try:
        with read_scope() as session:
            actor = auth.user_for_token(session, request.cookies.get(auth.SESSION_COOKIE))
            date_from, date_to = invoices.period(
                parse_date(request.query_params.get("from", ""), "from", "开始日期"),
                parse_date(request.query_params.get("to", ""), "to", "结束日期"), local_day(utc_now()))
            query = invoices.not_issued if issued else invoices.not_received
            report = query(session, actor, date_from, date_to, request.query_params.get("party", ""))
            data = reports.export_xlsx(invoices.not_invoiced_table(report), invoices.NOT_INVOICED_HEADERS, title)
    except DomainError as error:
        return _error(error)
    return _xlsx(data, f"{title}_{date_from:%Y%m%d}-{date_to:%Y%m%d}")


api = Starlette(
    routes=[
        Route("/api/health", health_route),
        *web_session.routes,
        Route("/api/photos/{photo_id:int}", photo_route),
        Route("/api/photos/{photo_id:int}/thumb", lambda request: photo_route(request, thumbnail=True)),
        Route("/api/orders/{order_id:int}/photos", order_photo_upload_route, methods=["POST"]),
        Route("/api/job-lines/{line_id:int}/photos", line_photo_upload_route, methods=["POST"]),
        Route("/api/vehicles/{token:str}/qr.png", qr_route),
        Route("/api/reports/orders.xlsx", orders_export_route),
        Route("/api/reports/technicians.xlsx", technicians_export_route),
        Route("/api/reports/churn.xlsx", churn_export_route),
        Route("/api/imports", import_upload_route, methods=["POST"]),
        Route("/api/imports/{kind:str}/template.xlsx", import_template_route),
        Route("/api/payables/ageing.xlsx", payables_ageing_route),
        Route("/api/ageing.xlsx", ageing_route),
        Route("/api/receivables/{kind:str}-{party_id:int}/statement.xlsx", receivable_statement_route),
        Route("/api/expenses/statistics.xlsx", expense_statistics_route),
        Route("/api/parts/ledger.xlsx", stock_ledger_route),
        Route("/api/payables/{supplier_id:int}/statement.xlsx", payables_statement_route),
        Route("/api/invoices/not-issued.xlsx", lambda request: not_invoiced_route(request, issued=True)),
        Route("/api/invoices/not-received.xlsx", lambda request: not_invoiced_route(request, issued=False)),
    ]
)
