FROM python:3.11-slim
WORKDIR /srv/tradestats
COPY pyproject.toml README.md alembic.ini ./
COPY app app
COPY migrations migrations
RUN pip install --no-cache-dir -e .
ENV HOST=0.0.0.0 PORT=8000
EXPOSE 8000
USER nobody
CMD ["tradestats", "serve"]
