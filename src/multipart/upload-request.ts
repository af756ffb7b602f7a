/**
 * What the HTTP transport knows of the request an upload arrives in, put on the GraphQL context
 * once, so the upload path never reads headers or sockets itself. Absent under `yoga.fetch`.
 */
export interface UploadRequest {
  /** The request's declared Content-Length: what it leaves for the file bounds the file's size. */
  declaredSize?: number;
  /**
   * The fewest bytes its file can have: the declared size less the most the rest of a multipart
   * request may take (its fields and framing, see multipartOverhead). A file known larger than
   * accepted is refused before it is read.
   */
  leastFileSize?: number;
  /** Stops reading the request: the rest of its body is unwanted; the connection closes after the answer. */
  stopReading(): void;
  /** Aborts once reading has stopped: a file part that has not arrived by then never will. */
  stopped: AbortSignal;
  /**
   * Settles when the whole body has been read: true when every part was as declared, false when the
   * request was refused or broke off. A cover goes on to VOD only after true.
   */
  bodyAccepted: Promise<boolean>;
}
