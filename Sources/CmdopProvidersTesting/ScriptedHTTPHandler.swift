import CmdopProviders
import NIOCore
import NIOHTTP1

/// Collects one request, records it, and plays the scripted response chunk by chunk with its delays.
final class ScriptedHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let script: FakeLLMServer.Script
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var playing: (response: ScriptedResponse, next: Int)?
    private var waitingForWritability = false

    init(script: FakeLLMServer.Script) { self.script = script }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body.removeAll()
        case .body(var buffer):
            body.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
        case .end:
            guard let head else { return }
            let request = RecordedRequest(
                method: head.method.rawValue, path: head.uri, headers: head.headers.map { ($0.name, $0.value) },
                body: body)
            start(script.take(for: request), context: context)
        }
    }

    private func start(_ response: ScriptedResponse, context: ChannelHandlerContext) {
        if response.headDelay > .zero {
            var immediate = response
            immediate.headDelay = .zero
            let delay = TimeAmount.nanoseconds(Int64(response.headDelay.seconds * 1e9))
            context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
                guard context.channel.isActive else { return }
                self.start(immediate, context: context)
            }
            return
        }
        var headers = HTTPHeaders(response.headers.map { ($0.name, $0.value) })
        if response.fixedLength {
            headers.replaceOrAdd(name: "content-length", value: "\(response.chunks.reduce(0) { $0 + $1.bytes.count })")
        } else {
            headers.replaceOrAdd(name: "transfer-encoding", value: "chunked")
        }
        let status = HTTPResponseStatus(statusCode: response.status)
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        playing = (response, 0)
        playNext(context: context)
    }

    private func playNext(context: ChannelHandlerContext) {
        guard let (response, index) = playing else { return }
        guard index < response.chunks.count else {
            playing = nil
            end(response.ending, context: context)
            return
        }
        let chunk = response.chunks[index]
        if chunk.delay > .zero {
            playing = (response, index)
            let delay = TimeAmount.nanoseconds(Int64(chunk.delay.seconds * 1e9))
            context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
                self.write(chunk, response: response, index: index, context: context)
            }
        } else {
            write(chunk, response: response, index: index, context: context)
        }
    }

    private func write(_ chunk: ScriptedResponse.Chunk, response: ScriptedResponse, index: Int, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        var buffer = context.channel.allocator.buffer(capacity: chunk.bytes.count)
        buffer.writeBytes(chunk.bytes)
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        playing = (response, index + 1)
        if context.channel.isWritable {
            if index + 1 < response.chunks.count, response.chunks[index + 1].delay == .zero, (index + 1) % 64 == 0 {
                // Yield to the event loop now and then so long zero-delay scripts do not monopolise it.
                context.eventLoop.assumeIsolated().execute { self.playNext(context: context) }
            } else {
                playNext(context: context)
            }
        } else {
            waitingForWritability = true
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if waitingForWritability, context.channel.isWritable {
            waitingForWritability = false
            playNext(context: context)
        }
        context.fireChannelWritabilityChanged()
    }

    private func end(_ ending: ScriptedResponse.Ending, context: ChannelHandlerContext) {
        switch ending {
        case .complete:
            script.recordPlayedToEnd()
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        case .disconnect:
            script.recordPlayedToEnd()
            context.close(promise: nil)
        case .stall(let duration):
            let delay = TimeAmount.nanoseconds(Int64(duration.seconds * 1e9))
            context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
                guard context.channel.isActive else { return }
                self.script.recordPlayedToEnd()
                context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        script.recordDisconnect()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
