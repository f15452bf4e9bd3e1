# Multi-stage build of a static Basalt binary.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/basalt .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/basalt /usr/local/bin/basalt
VOLUME /pb_data
EXPOSE 8090
HEALTHCHECK --interval=30s --timeout=5s CMD ["/usr/local/bin/basalt", "health", "--url", "http://127.0.0.1:8090"]
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/basalt"]
CMD ["serve", "--http", "0.0.0.0:8090", "--dir", "/pb_data"]
